import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadGellishTables } from '../../src/archivist-server/gellish-table-loader.js';
import { projectRoot } from '../../src/common/project-root.js';
import type { Fact } from '../../src/gellish/fact.js';

/** Where the bundled knowledge base and the shared TOPini table live. */
export const kbPath = (): string => join(projectRoot(), 'src', 'archivist-server', 'knowledge-base', 'clarity-kb.csv');

export const topiniPath = (): string => join(projectRoot(), '..', 'shared', 'data', 'gellish', 'TOPini.csv');

/** A Gellish table's facts, read by the embedded Archivist's loader (the one table reader). */
export async function loadTable(path: string): Promise<Fact[]> {
  const { facts } = await loadGellishTables([path]);
  return facts.map(({ fact }) => fact);
}

/** TOPini's facts, or a reason to skip when the shared folder is absent. */
export async function loadTopini(): Promise<{ facts: Fact[] } | { skip: string }> {
  const path = topiniPath();
  if (!existsSync(path)) return { skip: `TOPini not found at ${path}` };
  return { facts: await loadTable(path) };
}
