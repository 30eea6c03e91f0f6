import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Child processes of tests and scripts (Clarity, the Archivist CLI, nginx, the
 * benchmark's helpers): started with their output captured, waited for over HTTP,
 * stopped with a signal and a grace period.
 */

/** The open-file limit asked for with `raiseOpenFileLimit`. */
export const WANTED_OPEN_FILES = 65536;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult extends ExitStatus {
  /** How long the process took to exit after the signal (0 when it had already exited). */
  ms: number;
}

export interface RunningProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it printed so far, stdout and stderr interleaved (the last `outputLimit` characters). */
  output(): string;
  /** Resolves once the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Sends `signal` (SIGTERM) and SIGKILL after `graceMs` (20 s) if it has not exited by then. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<StopResult>;
}

export interface StartProcessOptions {
  /** The whole environment of the process. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: 'ignore' | 'pipe';
  /**
   * Run through bash with `ulimit -n 65536` first (or the hard limit when 65536 is
   * not allowed), then `exec`: the pid is the command's own.
   */
  raiseOpenFileLimit?: boolean;
  /** Characters of output kept (the latest); unlimited by default. */
  outputLimit?: number;
  /** Run on this CPU only (`taskset -c`, every thread of the process); anywhere by default. */
  cpu?: number;
}

export function startProcess(
  label: string,
  command: string,
  args: readonly string[],
  { env, cwd, stdin = 'ignore', raiseOpenFileLimit = false, outputLimit = Infinity, cpu }: StartProcessOptions = {},
): RunningProcess {
  // Pinned from its first instruction: the threads it starts inherit the CPU.
  const [program, programArgs] =
    cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
  const script = `ulimit -n ${WANTED_OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const child = raiseOpenFileLimit
    ? spawn('bash', ['-c', script, program, ...programArgs], { env, cwd, stdio: [stdin, 'pipe', 'pipe'] })
    : spawn(program, programArgs, { env, cwd, stdio: [stdin, 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text += chunk.toString();
    if (text.length > outputLimit) text = text.slice(-outputLimit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    label,
    child,
    pid: child.pid ?? 0,
    output: () => text,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, signal: child.signalCode, ms: 0 };
      }
      const started = Date.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(timer);
      return { ...status, ms: Date.now() - started };
    },
  };
}

/** Polls `url` until `accept(status)`; fails when `process` exits first or the deadline passes. */
export async function waitForHttp(
  url: string,
  process: RunningProcess | undefined,
  timeoutMs: number,
  accept: (status: number) => boolean = (status) => status === 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void process?.exited.then(() => (exited = true));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) {
      const { code, signal } = await process!.exited;
      throw new Error(
        `${process!.label} exited (${code ?? signal}) before ${url} answered:\n${process!.output().slice(-4000)}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (accept(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(
    `${url} not ready within ${timeoutMs} ms (${last})${process ? `:\n${process.output().slice(-4000)}` : ''}`,
  );
}
