import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The local Debian PostgreSQL cluster (`/etc/postgresql/<version>/main`), if any. */
export function localCluster(): { version: string; name: string } | undefined {
  if (!existsSync('/etc/postgresql') || !existsSync('/usr/bin/pg_ctlcluster')) return undefined;
  const versions = readdirSync('/etc/postgresql')
    .filter((v) => existsSync(`/etc/postgresql/${v}/main`))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? { version: versions[0], name: 'main' } : undefined;
}

async function pgCtlCluster(action: string): Promise<void> {
  const cluster = localCluster();
  if (!cluster) throw new Error('No local PostgreSQL cluster');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, action], { timeout: 60_000 });
}

/** Restarts the shared cluster (fast shutdown: open connections are terminated). */
export async function restartCluster(): Promise<void> {
  await pgCtlCluster('restart');
}

export async function clusterRunning(): Promise<boolean> {
  try {
    await pgCtlCluster('status'); // exit code 3 when stopped
    return true;
  } catch {
    return false;
  }
}

/** Starts the cluster if it is down: called in after hooks so other developers' tests keep their database. */
export async function ensureClusterRunning(): Promise<void> {
  if (await clusterRunning()) return;
  await pgCtlCluster('start');
}
