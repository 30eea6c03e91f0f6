export { SemanticModelEngine, type BatchOptions } from './semantic-model-engine.js';
export type { FactSource } from './fact-source.js';
export * from './model-types.js';
export { RelationHierarchy } from './relation-hierarchy.js';
export { PART_ROOTS, type PartKey } from './relation-parts.js';
