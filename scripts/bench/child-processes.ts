import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The open-file limit the benchmark asks for in its children. */
export const WANTED_OPEN_FILES = 65536;

/**
 * Spawns `node <args>` through bash with the open-file limit raised first
 * (`ulimit -n 65536`, or the hard limit when 65536 is not allowed), then `exec`,
 * so the returned child's pid is the node process itself.
 */
export function spawnNodeWithRaisedLimit(
  nodeArgs: readonly string[],
  { env, cwd, stdin = 'ignore' }: { env: Record<string, string | undefined>; cwd?: string; stdin?: 'ignore' | 'pipe' },
): ChildProcess {
  const script = `ulimit -n ${WANTED_OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  return spawn('bash', ['-c', script, process.execPath, ...nodeArgs], {
    cwd,
    env,
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

/** Resident memory of a process in KB (VmRSS of /proc/<pid>/status); NaN when unreadable. */
export function residentKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The soft open-file limit of a running process (from /proc/<pid>/limits); NaN when unreadable. */
export function openFileLimit(pid: number): number {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return match ? (match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1])) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Collects a child's stdout+stderr (the last `limit` characters). */
export function captureOutput(child: ChildProcess, limit = 200_000): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text += chunk.toString();
    if (text.length > limit) text = text.slice(-limit);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILLs. Resolves with the exit code. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 20_000,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15, in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
