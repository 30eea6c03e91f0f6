#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { stderrLogger } from './archivist-logger.js';
import { startArchivistServer } from './archivist-server.js';
import { bundledKnowledgeBasePaths } from './bundled-knowledge-base.js';

const USAGE =
  'usage: archivist [--data a.csv,b.csv] [--port 3000] [--host 127.0.0.1] [--journal FILE]\n' +
  '  --data     Gellish expression tables forming one graph (default: the bundled knowledge base)\n' +
  '  --port     port to listen on, 0 = any free port (default 3000)\n' +
  '  --host     interface to listen on (default 127.0.0.1)\n' +
  '  --journal  file that persists submissions and is replayed at start\n';

interface CliOptions {
  dataFiles: string[];
  port: number;
  host: string;
  journalFile?: string;
}

function parseCommandLine(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      journal: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const port = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  const dataFiles = values.data
    ? values.data
        .split(',')
        .map((file) => file.trim())
        .filter((file) => file !== '')
    : bundledKnowledgeBasePaths();
  if (dataFiles.length === 0) throw new Error('--data names no file');
  return { dataFiles, port, host: values.host, journalFile: values.journal };
}

async function main(): Promise<void> {
  const options = parseCommandLine(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const server = await startArchivistServer({ ...options, logger: stderrLogger });
  stderrLogger.info(`Archivist listening on ${server.url}`);
  const stop = (signal: string): void => {
    stderrLogger.info(`${signal} received, closing`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        stderrLogger.error(`close failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`archivist: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
