import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding Clarity's package.json, found by walking up from this file,
 * so compiled code finds bundled files (knowledge base, migrations) wherever the
 * build output lives.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = import.meta.dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'clarity') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot locate the Clarity project root');
    dir = parent;
  }
}
