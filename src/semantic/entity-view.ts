import { ANYTHING } from '../gellish/gellish-uids.js';
import type { Fact } from '../gellish/fact.js';
import type { ClassifiedFact, Classification } from './classified-fact.js';
import type { ModelNature } from './model-types.js';
import type { PartKey } from './relation-parts.js';

/** One entity's facts, classified, with the questions the model builders ask of them. */
export class EntityView {
  constructor(
    readonly uid: number,
    readonly raw: readonly Fact[],
    readonly classification: Classification,
    /** The name when no structural fact names the entity (only its subtypes or instances do). */
    private readonly nameHint?: string,
    /** Number of all related facts (raw holds the structural ones). */
    readonly total: number = raw.length,
  ) {}

  get facts(): readonly ClassifiedFact[] {
    return this.classification.facts;
  }

  /** Facts of the part with this entity on the left (after inverse swapping). */
  left(...parts: PartKey[]): ClassifiedFact[] {
    return this.facts.filter((c) => c.lh === this.uid && c.part !== null && parts.includes(c.part));
  }

  /** Facts of the part with this entity on the right (after inverse swapping). */
  right(...parts: PartKey[]): ClassifiedFact[] {
    return this.facts.filter((c) => c.rh === this.uid && c.part !== null && parts.includes(c.part));
  }

  /** Right objects of the entity's specialization and qualification facts. */
  supertypes(): number[] {
    return unique(this.left('qualification', 'specialization').map((c) => c.rh)).filter((u) => u !== this.uid);
  }

  classifiers(): number[] {
    return unique(this.left('classification').map((c) => c.rh));
  }

  /**
   * Spec §5: qualification if the entity is the left object of a 1726-cone fact,
   * else kind if of a 1146-cone fact, else individual if of a 1225-cone fact;
   * 730000 ("anything") is the root kind. An entity without such a fact of its own
   * that has subtypes, qualifications or instances (it is the right object of such
   * a fact) is a kind as well; only an entity with none of these is "anything"
   * (its nature is unknown).
   */
  nature(): ModelNature {
    if (this.uid === ANYTHING) return 'kind';
    if (this.left('qualification').length > 0) return 'qualification';
    if (this.left('specialization').length > 0) return 'kind';
    if (this.left('classification').length > 0) return 'individual';
    if (this.right('qualification', 'specialization', 'classification').length > 0) return 'kind';
    // The facts left out of `raw` are the specializations and classifications of this
    // entity's own subtypes and instances: having any makes it a kind too.
    if (this.total > this.raw.length) return 'kind';
    return 'anything';
  }

  /** The definitive facts, qualification first, then specialization, then classification. */
  definitiveFacts(): ClassifiedFact[] {
    return [...this.left('qualification'), ...this.left('specialization'), ...this.left('classification')];
  }

  name(): string {
    const definitive = this.definitiveFacts()[0];
    if (definitive) return definitive.lhName;
    const asRight = this.facts.find((c) => c.rh === this.uid);
    if (asRight) return asRight.rhName;
    return this.facts.find((c) => c.lh === this.uid)?.lhName ?? this.nameHint ?? '';
  }
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
