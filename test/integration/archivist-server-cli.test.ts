import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from '../../src/common/project-root.js';
import { Category, RelationType } from '../../src/gellish/gellish-uids.js';

/** The standalone CLI, run as a child process from the compiled output beside this test. */
const CLI = join(import.meta.dirname, '..', '..', 'src', 'archivist-server', 'cli.js');

let dir: string;
let dataFile: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archivist-cli-'));
  dataFile = join(dir, 'kb.csv');
  await writeFile(
    dataFile,
    `1,2,101,60,3,15,201\n1,900001,pump,${RelationType.SPECIALIZATION},is a specialization of,${Category.PHYSICAL_OBJECT},physical object\n`,
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runCli(args: string[], onListening?: (url: string, stop: () => void) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let listening = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /Archivist listening on (http:\/\/\S+)/.exec(stderr);
      if (match && !listening && onListening) {
        listening = true;
        onListening(match[1]!, () => child.kill('SIGTERM')).catch((error: unknown) => {
          child.kill('SIGKILL');
          reject(error);
        });
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('archivist CLI', () => {
  test('serves the given tables, logs the summary, and exits 0 on SIGTERM', async () => {
    let health: unknown;
    const run = await runCli(['--data', dataFile, '--port', '0'], async (url, stop) => {
      health = await (await fetch(`${url}/health`)).json();
      stop();
    });
    assert.deepEqual(health, { status: 'ok', facts: 1 });
    assert.match(run.stderr, /loaded 1 facts from 1 files, rejected 0 rows/);
    assert.equal(run.code, 0, run.stderr);
  });

  test('a missing data file exits 1 with a one-line message', async () => {
    const missing = join(dir, 'absent.csv');
    const run = await runCli(['--data', `${dataFile},${missing}`, '--port', '0']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `archivist: file ${missing}: not found\n`);
  });

  test('a bad port exits 1 with a one-line message', async () => {
    const run = await runCli(['--data', dataFile, '--port', 'eighty']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^archivist: --port must be an integer from 0 to 65535, got "eighty"\n$/);
  });
});
