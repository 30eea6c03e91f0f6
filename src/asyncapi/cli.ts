#!/usr/bin/env node
/**
 * `npm run docs:asyncapi [-- <file>]` writes the AsyncAPI document of the Socket.IO API
 * (generated from the route table and the request schemas) to docs/asyncapi.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { asyncApiFilePath, generatedAsyncApiJson } from './documented-routes.js';

try {
  const file = process.argv[2] ? resolve(process.argv[2]) : asyncApiFilePath();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, generatedAsyncApiJson());
  process.stdout.write(`AsyncAPI document written to ${file}\n`);
} catch (error) {
  process.stderr.write(`docs:asyncapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
