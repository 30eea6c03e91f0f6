import { spawnSync } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';

export { freePort, startProcess, waitForHttp, type RunningProcess } from '../../scripts/support/child-process.js';
export { launchClarity } from '../../scripts/support/clarity-launcher.js';

/** Real processes for the deployment end-to-end test: Archivist, Clarity, nginx. */

/** The compiled tree this test runs from (an outDir): src/main.js sits beside test/. */
export const builtRoot = join(import.meta.dirname, '..', '..');

export async function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

export function hasExecutable(command: string, args: string[] = ['-v']): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined;
}

/** One metric's value from a Prometheus text exposition (sum over label sets). */
export function metricValue(text: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] === name) {
      found = true;
      sum += Number(match[3]);
    }
  }
  return found ? sum : undefined;
}

export interface LoopbackNginxOptions {
  /** Where pid, logs and temp files go (nginx -p). */
  prefix: string;
  /** Replaces the TLS server's `listen 443 ssl` (plain HTTP on loopback). */
  httpsPort: number;
  /** Replaces the redirect server's `listen 80`. */
  httpPort: number;
  /** Replaces the upstream servers. */
  upstreams: string[];
  /** Adds `X-Clarity-Upstream: $upstream_addr` to proxied responses. */
  upstreamHeader?: boolean;
  /** Keep TLS (give the certificate and key to use instead of the configured paths). */
  tls?: { certificate: string; key: string };
}

function replaceOrFail(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(text)) throw new Error(`nginx/clarity.conf: ${what} not found`);
  return text.replace(pattern, replacement);
}

/**
 * A loopback rendering of nginx/clarity.conf: a complete nginx.conf that wraps
 * the file (meant for the http block) with daemon off, pid/log/temp paths in
 * `prefix`, loopback listeners and the given upstream servers. Everything else —
 * map, ip_hash, proxy headers, timeouts, locations — is the file as written.
 */
export function renderLoopbackNginx(conf: string, o: LoopbackNginxOptions): string {
  const upstreamRe = /(upstream\s+clarity_backend\s*\{)([^}]*)\}/;
  const upstreamBlock = upstreamRe.exec(conf)?.[2];
  if (upstreamBlock === undefined) throw new Error('nginx/clarity.conf: upstream clarity_backend not found');
  const kept = upstreamBlock
    .split('\n')
    .filter((line) => !/^\s*server\s/.test(line))
    .join('\n');
  const servers = o.upstreams.map((u) => `    server ${u};`).join('\n');
  let c = conf.replace(upstreamRe, `$1${kept}\n${servers}\n}`);
  c = replaceOrFail(c, /^\s*listen\s+\[::\]:443\s+ssl\s*;\s*$/m, '', 'listen [::]:443 ssl');
  c = replaceOrFail(c, /^\s*listen\s+\[::\]:80\s*;\s*$/m, '', 'listen [::]:80');
  c = replaceOrFail(c, /^(\s*)listen\s+80\s*;/m, `$1listen 127.0.0.1:${o.httpPort};`, 'listen 80');
  if (o.tls) {
    c = replaceOrFail(c, /^(\s*)listen\s+443\s+ssl\s*;/m, `$1listen 127.0.0.1:${o.httpsPort} ssl;`, 'listen 443 ssl');
    c = replaceOrFail(
      c,
      /^(\s*)ssl_certificate\s+[^;]+;/m,
      `$1ssl_certificate ${o.tls.certificate};`,
      'ssl_certificate',
    );
    c = replaceOrFail(
      c,
      /^(\s*)ssl_certificate_key\s+[^;]+;/m,
      `$1ssl_certificate_key ${o.tls.key};`,
      'ssl_certificate_key',
    );
  } else {
    c = replaceOrFail(c, /^(\s*)listen\s+443\s+ssl\s*;/m, `$1listen 127.0.0.1:${o.httpsPort};`, 'listen 443 ssl');
    c = c.replace(/^\s*ssl_[a-z_]+\s+[^;]+;\s*$/gm, '');
  }
  if (o.upstreamHeader) {
    c = c.replace(
      /(location\s+[^{]*\{\s*\n\s*proxy_pass[^\n]*\n)/g,
      `$1        add_header X-Clarity-Upstream $upstream_addr always;\n`,
    );
  }
  const p = o.prefix;
  return [
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(p, 'nginx.pid')};`,
    `error_log ${join(p, 'error.log')} warn;`,
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${join(p, 'client_body')};`,
    `  proxy_temp_path ${join(p, 'proxy')};`,
    `  fastcgi_temp_path ${join(p, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(p, 'uwsgi')};`,
    `  scgi_temp_path ${join(p, 'scgi')};`,
    c,
    '}',
    '',
  ].join('\n');
}
