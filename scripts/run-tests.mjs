#!/usr/bin/env node
// The test runner behind `npm test`, `npm run test:unit` and `npm run test:integration`.
// Compiles the whole project (service, migrations, tests, scripts) with tsc, then runs
// with Node's built-in test runner
//   --unit         the unit specs beside the code (dist/src/**/*.spec.js): no PostgreSQL,
//                  Redis, nginx or child process needed; files run in parallel;
//   --integration  the tests under test/ (dist/test/**/*.test.js): real processes,
//                  PostgreSQL, Redis, nginx; they share those servers and some restart
//                  them, so files run one at a time unless TEST_CONCURRENCY says otherwise;
//   neither        both, in one run (one summary).
// Other arguments filter the files by path substring: `npm test -- gateway auth`.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const integrationOnly = args.includes('--integration');
const filters = args.filter((arg) => arg !== '--unit' && arg !== '--integration');
const runUnit = !integrationOnly;
const runIntegration = !unitOnly;

const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) {
  process.stderr.write('Type-check/build failed: no tests were run.\n');
  process.exit(build.status ?? 1);
}

function collect(dir, suffix, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, suffix, out);
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out;
}

const files = [
  ...(runUnit ? collect(join(root, 'dist', 'src'), '.spec.js') : []),
  ...(runIntegration ? collect(join(root, 'dist', 'test'), '.test.js') : []),
]
  // compiled files whose source is gone (moved or deleted) are not run
  .filter((file) => existsSync(file.replace(/^(.*)\/dist\//, '$1/').replace(/\.js$/, '.ts')))
  .filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)))
  .sort();

if (files.length === 0) {
  process.stderr.write('No test files found.\n');
  process.exit(1);
}

rmSync(join(root, 'dist', 'test-tmp'), { recursive: true, force: true });
const concurrency = process.env.TEST_CONCURRENCY ?? (unitOnly ? String(availableParallelism()) : '1');
const result = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=300000',
    '--test-force-exit',
    '--test-reporter=spec',
    ...files.map((f) => relative(root, f)),
  ],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
