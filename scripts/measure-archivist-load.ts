#!/usr/bin/env node
/**
 * Loads Gellish tables into the embedded Archivist in this (fresh) process and prints
 * what the load cost: seconds from start to listening, resident memory (VmRSS) per fact,
 * the V8 heap, and both again after a forced GC when node runs with --expose-gc.
 *
 *   npx tsc -p tsconfig.json
 *   node dist/scripts/generate-gellish-table.js --facts 1000000 --out bench-results/generated-1000000-seed1.csv
 *   node --expose-gc dist/scripts/measure-archivist-load.js \
 *     --data ../shared/data/gellish/TOPini.csv,bench-results/generated-1000000-seed1.csv
 *
 * Add `--cpu-prof` before the script to see where the load time goes
 * (`node dist/scripts/bench/cpu-profile-summary.js FILE.cpuprofile 30`).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startArchivistServer } from '../src/archivist-server/archivist-server.js';

function residentBytes(): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' } }, strict: true });
  if (!values.data) throw new Error('usage: measure-archivist-load --data a.csv[,b.csv]');
  const dataFiles = values.data.split(',').filter((file) => file !== '');
  const rssBefore = residentBytes();
  const started = performance.now();
  const server = await startArchivistServer({
    dataFiles,
    port: 0,
    logger: { info: () => undefined, warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) },
  });
  const seconds = (performance.now() - started) / 1000;
  const facts = server.store.size;
  const report = (label: string): void => {
    const rss = residentBytes();
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    process.stdout.write(
      `${label}: RSS ${mb(rss)} (${Math.round(rss / facts)} B/fact; +${Math.round((rss - rssBefore) / facts)} B/fact over ` +
        `the ${mb(rssBefore)} before loading), heap used ${mb(heapUsed)} of ${mb(heapTotal)}, ` +
        `external ${mb(external)} (array buffers ${mb(arrayBuffers)})\n`,
    );
  };
  process.stdout.write(`loaded ${facts} facts from ${dataFiles.length} tables in ${seconds.toFixed(1)} s\n`);
  report('after load');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    report('after GC');
  }
  await server.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
