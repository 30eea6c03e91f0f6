import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-root.js';
import type { Fact } from '../../src/gellish/fact.js';
import { parseGellishTable } from './gellish-table.js';

/** Test helper: where the bundled knowledge base and the shared TOPini table live. */
export const kbPath = (): string => join(projectRoot(), 'src', 'archivist-server', 'knowledge-base', 'clarity-kb.csv');

export const topiniPath = (): string => join(projectRoot(), '..', 'shared', 'data', 'gellish', 'TOPini.csv');

export function loadTable(path: string): Fact[] {
  return parseGellishTable(readFileSync(path, 'utf8'));
}

/** TOPini's facts, or a reason to skip when the shared folder is absent. */
export function loadTopini(): { facts: Fact[] } | { skip: string } {
  const path = topiniPath();
  if (!existsSync(path)) return { skip: `TOPini not found at ${path}` };
  return { facts: loadTable(path) };
}
