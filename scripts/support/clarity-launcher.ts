import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitForHttp, type RunningProcess } from './child-process.js';

/**
 * The one way tests, the benchmark and the soak run start Clarity as a child process:
 * the built service (dist/src/main.js) with exactly the environment given.
 */

/** dist/src/main.js of the build this module belongs to (dist/scripts/support/ → dist/src/). */
export const builtMainJs = join(import.meta.dirname, '..', '..', 'src', 'main.js');

export interface ClarityLaunchOptions {
  /** The whole configuration: nothing of the caller's environment leaks in but PATH and HOME. */
  env: Record<string, string | undefined>;
  /** Port to listen on; RELICA_CLARITY_API_PORT of `env`, else a free one. */
  port?: number;
  /** Working folder (logs, .env lookup); a fresh temporary folder by default. */
  cwd?: string;
  /** Node flags placed before main.js, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  mainJs?: string;
  /** Raise the open-file limit of the process first (`ulimit -n`), for thousands of sockets. */
  raiseOpenFileLimit?: boolean;
  /**
   * When the launch is done: `listening`, its "listening on http" log line (needs
   * LOG_LEVEL info or lower); `ready`, GET /health/ready answers 200 (migrations ran,
   * the Archivist answered).
   */
  waitFor?: 'listening' | 'ready';
  readyTimeoutMs?: number;
  /** Characters of output kept (the latest); unlimited by default. */
  outputLimit?: number;
  label?: string;
  /** Run on this CPU only (see startProcess). */
  cpu?: number;
}

export interface ClarityChild extends RunningProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
}

/** Starts Clarity and resolves once it is listening (or ready); on failure it is killed and the error carries its output. */
export async function launchClarity({
  env,
  port,
  cwd,
  nodeArgs = [],
  mainJs = builtMainJs,
  raiseOpenFileLimit = false,
  waitFor = 'listening',
  readyTimeoutMs = 60_000,
  outputLimit,
  label = 'clarity',
  cpu,
}: ClarityLaunchOptions): Promise<ClarityChild> {
  const listenPort = port ?? (env.RELICA_CLARITY_API_PORT ? Number(env.RELICA_CLARITY_API_PORT) : await freePort());
  const running = startProcess(label, process.execPath, [...nodeArgs, mainJs], {
    cwd: cwd ?? mkdtempSync(join(tmpdir(), 'clarity-proc-')),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, RELICA_CLARITY_API_PORT: String(listenPort) },
    raiseOpenFileLimit,
    outputLimit,
    cpu,
  });
  const clarity: ClarityChild = Object.assign(running, { url: `http://127.0.0.1:${listenPort}`, port: listenPort });
  try {
    if (waitFor === 'ready') await waitForHttp(`${clarity.url}/health/ready`, clarity, readyTimeoutMs);
    else await logLine(clarity, /listening on http/, readyTimeoutMs);
  } catch (error) {
    await clarity.stop('SIGKILL');
    throw error;
  }
  return clarity;
}

/** Resolves when the output matches `pattern`; fails when the process exits first or the time is up. */
async function logLine(running: RunningProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const { stdout, stderr } = running.child;
  let check = (): void => undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${running.label} did not start within ${timeoutMs} ms:\n${running.output()}`)),
        timeoutMs,
      );
      check = () => {
        if (pattern.test(running.output())) resolve();
      };
      stdout?.on('data', check);
      stderr?.on('data', check);
      check();
      void running.exited.then(({ code, signal }) =>
        reject(new Error(`${running.label} exited (${code ?? signal}) before listening:\n${running.output()}`)),
      );
    });
  } finally {
    clearTimeout(timer);
    stdout?.off('data', check);
    stderr?.off('data', check);
  }
}
