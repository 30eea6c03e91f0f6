import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Keeps the benchmark (scripts/bench) from rotting: runs it in --smoke mode
 * (2 clients, 1 s per load scenario, 50 sockets) and checks that it runs to the
 * end and reports every scenario — not how fast anything is.
 * Uses the real PostgreSQL/Redis only when POSTGRES_HOST/REDIS_URL say so (as CI
 * does); otherwise an embedded PostgreSQL, and the Redis scenario reports itself
 * skipped.
 */
const BENCH = join(import.meta.dirname, '..', '..', 'scripts', 'bench', 'bench.js');
const SCENARIOS = ['bare', 'bareSame', 'bareSized', 'warm', 'cold', 'batch', 'connections', 'redis'] as const;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test(
  'bench --smoke runs every scenario and reports them as a table, a JSON file and a JSON last line',
  { timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clarity-bench-smoke-'));
    const out = join(dir, 'results.json');
    const args = ['--smoke', '--out', out];
    const pgHost = process.env.POSTGRES_HOST;
    args.push(...(pgHost ? ['--postgres', `${pgHost}:${process.env.POSTGRES_PORT ?? 5432}`] : ['--embedded-postgres']));
    args.push('--redis', process.env.REDIS_URL ? `${process.env.REDIS_URL.replace(/\/\d*$/, '')}/14` : 'none');
    try {
      const { code, stdout, stderr } = await runBench(args);
      assert.equal(code, 0, `bench exited ${code}\n${stderr.slice(-4000)}`);

      const lines = stdout.trimEnd().split('\n');
      const results = JSON.parse(lines[lines.length - 1]!);
      assert.deepEqual(
        JSON.parse(readFileSync(out, 'utf8')),
        results,
        'the file holds the same results as the last line',
      );
      assert.equal(results.mode, 'smoke');

      assert.deepEqual(Object.keys(results.scenarios).sort(), [...SCENARIOS].sort());
      for (const name of SCENARIOS) {
        const scenario = results.scenarios[name];
        if (name === 'redis' && scenario.status === 'skipped') {
          assert.ok(scenario.reason, 'a skipped scenario says why');
          continue;
        }
        assert.equal(scenario.status, 'ok', `${name}: ${scenario.reason ?? ''}`);
        assert.equal(typeof scenario.errors, 'number', `${name} reports its errors`);
      }
      for (const name of ['bare', 'bareSame', 'bareSized', 'warm', 'batch'] as const) {
        const s = results.scenarios[name];
        assert.ok(s.requests > 0, `${name} measured some requests`);
        for (const p of ['p50', 'p95', 'p99'] as const) assert.equal(typeof s.latencyMs[p], 'number', `${name} ${p}`);
      }
      assert.equal(typeof results.scenarios.batch.modelsPerSecond, 'number');
      assert.equal(results.scenarios.bareSame.sameAnswersAs, 'warm model/get', '1b sent the warm answers');
      assert.equal(results.scenarios.bareSame.rounds, 1, 'in rounds alternating with the warm scenario');
      for (const name of ['bare', 'bareSame', 'warm'] as const) {
        assert.equal(typeof results.scenarios[name].clientCpu.microsecondsPerRequest, 'number', `${name} client CPU`);
      }
      const cold = results.scenarios.cold;
      assert.ok(
        cold.models > 0 && typeof cold.callsPerModel === 'number' && cold.byPath,
        'cold reports Archivist calls per model',
      );
      const conn = results.scenarios.connections;
      assert.equal(conn.sockets, 50);
      assert.equal(typeof conn.rssPerSocketKb, 'number');
      assert.equal(typeof conn.handshakesPerSecond, 'number');
      assert.equal(typeof conn.extraSocket.refused, 'boolean', 'the socket beyond the cap was tried');

      assert.ok(
        results.ratios && 'warmOverBareThroughput' in results.ratios && 'coldOverWarmThroughput' in results.ratios,
      );
      assert.ok(results.targets.length > 0);
      for (const t of results.targets) assert.match(t.verdict, /^(PASS|MISS|INFO|SKIP)$/);

      for (const row of [
        'bare Socket.IO ack',
        'bare, same answers',
        'bare, padded ack',
        'model/get warm',
        'model/get cold',
        'model/get-batch',
        'connection scale',
        'warm + Redis',
      ]) {
        assert.ok(stdout.includes(row), `the table has a row "${row}"`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
