#!/usr/bin/env node
// Runs TypeORM's CLI against Clarity's DataSource file (built into dist/):
//   node scripts/typeorm.mjs migration:run
//   node scripts/typeorm.mjs migration:revert
//   node scripts/typeorm.mjs migration:show
//   node scripts/typeorm.mjs migration:generate <Name>   → migrations/<timestamp>-<Name>.ts
// The database is the configured one (POSTGRES_* / .env), or the embedded
// PostgreSQL when POSTGRES_HOST is unset. Run from any folder.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'node_modules', 'typeorm', 'cli.js');
const dataSource = join(root, 'dist', 'src', 'database', 'data-source.cli.js');

const [command, ...rest] = process.argv.slice(2);
const usage =
  'Usage: node scripts/typeorm.mjs <migration:run|migration:revert|migration:show|migration:generate <Name>> [typeorm options]';

if (!command || command === '--help' || command === '-h') {
  process.stderr.write(`${usage}\n`);
  process.exit(command ? 0 : 2);
}
if (!existsSync(dataSource)) {
  process.stderr.write(`${dataSource} is missing: build first (npm run build)\n`);
  process.exit(2);
}

let args = [command, ...rest];
if (command === 'migration:generate') {
  const name = rest.find((arg) => !arg.startsWith('-'));
  if (!name || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    process.stderr.write(
      'migration:generate needs a migration name made of letters, digits and _ (e.g. npm run migration:generate -- AddSessionTags)\n',
    );
    process.exit(2);
  }
  const options = rest.filter((arg) => arg !== name);
  // A TypeScript file in migrations/ (compiled with the rest of the project).
  args = [command, join(root, 'migrations', name), '--pretty', ...options];
}

const result = spawnSync(process.execPath, [cli, ...args, '-d', dataSource], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error) {
  process.stderr.write(`Could not run the TypeORM CLI: ${result.error.message}\n`);
  process.exit(1);
}
if (
  command === 'migration:generate' &&
  result.status === 0 &&
  !rest.includes('--dryrun') &&
  !rest.includes('--check')
) {
  process.stdout.write('Review the new file in migrations/, then build (npm run build) before migration:run.\n');
}
process.exit(result.status ?? 1);
