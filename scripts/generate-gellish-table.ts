#!/usr/bin/env node
/**
 * Writes a synthetic Gellish expression table (src/archivist-server/gellish-table-generator.ts):
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/generate-gellish-table.js --facts 1000000 --out big.csv [--seed 1]
 *
 * Load it together with an upper ontology (TOPini or the bundled knowledge base), e.g.
 * `npm run archivist -- --data ../shared/data/gellish/TOPini.csv,big.csv`.
 */
import { parseArgs } from 'node:util';
import { writeGellishTable } from '../src/archivist-server/gellish-table-generator.js';

const USAGE = 'usage: generate-gellish-table --facts N --out FILE [--seed S]\n';

function positiveInteger(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${flag} must be a positive integer, got "${text ?? ''}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      facts: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.out) throw new Error('--out is required');
  const facts = positiveInteger('--facts', values.facts);
  const seed = positiveInteger('--seed', values.seed);
  const started = Date.now();
  const summary = await writeGellishTable(values.out, { facts, seed });
  process.stdout.write(
    `${values.out}: ${summary.facts} facts (${summary.kinds} kinds, ${summary.hubSubtypes} direct subtypes of 730044, ` +
      `${summary.aspectKinds} aspect kinds, ${summary.individuals} individuals) in ${Date.now() - started} ms\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exitCode = 1;
});
