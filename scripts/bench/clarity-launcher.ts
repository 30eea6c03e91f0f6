import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  captureOutput,
  freePort,
  openFileLimit,
  residentKb,
  sleep,
  spawnNodeWithRaisedLimit,
  stopChild,
} from './child-processes.js';

export interface ClarityInstance {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Effective open-file limit of the Clarity process. */
  openFileLimit: number;
  rssKb(): number;
  output(): string;
  /** SIGTERM (graceful shutdown; also writes a --cpu-prof profile), SIGKILL after 20 s. */
  stop(): Promise<number | null>;
}

export interface ClarityLaunch {
  /** The built service entry (dist/src/main.js beside this script's build). */
  mainJs: string;
  /** The whole environment of the process (nothing of the bench's own env leaks in but PATH/HOME). */
  env: Record<string, string>;
  /** Write a CPU profile into this folder when the process exits. */
  cpuProfileDir?: string;
  readyTimeoutMs?: number;
}

/**
 * Starts Clarity as a child (open-file limit raised) on a free loopback port and
 * waits until GET /health/ready answers 200 (migrations ran, Archivist answered).
 * With LOG_LEVEL=warn the "listening" line is not logged, hence the polling.
 */
export async function launchClarity({
  mainJs,
  env,
  cpuProfileDir,
  readyTimeoutMs = 120_000,
}: ClarityLaunch): Promise<ClarityInstance> {
  const port = await freePort();
  const nodeArgs = [...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []), mainJs];
  const child = spawnNodeWithRaisedLimit(nodeArgs, {
    cwd: mkdtempSync(join(tmpdir(), 'clarity-bench-')),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      RELICA_CLARITY_API_HOST: '127.0.0.1',
      RELICA_CLARITY_API_PORT: String(port),
    },
  });
  const output = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `Clarity exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output().slice(-4000)}`,
      );
    }
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGKILL');
      throw new Error(`Clarity was not ready within ${readyTimeoutMs} ms:\n${output().slice(-4000)}`);
    }
    await sleep(200);
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    openFileLimit: openFileLimit(pid),
    rssKb: () => residentKb(pid),
    output,
    stop: () => stopChild(child),
  };
}
