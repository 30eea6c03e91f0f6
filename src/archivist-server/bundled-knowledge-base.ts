import { join } from 'node:path';
import { projectRoot } from '../common/project-root.js';

/** The knowledge base the project ships: the embedded Archivist's default data. */
export function bundledKnowledgeBasePaths(): string[] {
  return [join(projectRoot(), 'src', 'archivist-server', 'knowledge-base', 'clarity-kb.csv')];
}
