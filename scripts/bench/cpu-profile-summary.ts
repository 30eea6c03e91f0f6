/**
 * Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time per
 * function, biggest first. CLI: `node dist/scripts/bench/cpu-profile-summary.js FILE [TOP]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  function: string;
  location: string;
  selfMs: number;
  selfPercent: number;
}

/** Shortens a file URL to a path inside the project or node_modules. */
function shortLocation(url: string, line: number): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  const short = nm >= 0 ? path.slice(nm + 'node_modules/'.length) : path.replace(/^.*?\/(dist[^/]*\/)/, '$1');
  return `${short}:${line + 1}`;
}

export function summarizeCpuProfile(file: string, top = 20): { totalMs: number; functions: FunctionCost[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { fn: string; loc: string; us: number }>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    totalUs += delta;
    const fn = node.callFrame.functionName || '(anonymous)';
    const loc = shortLocation(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${fn}@${loc}`;
    const entry = selfUs.get(key) ?? { fn, loc, us: 0 };
    entry.us += delta;
    selfUs.set(key, entry);
  }
  const functions = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({
      function: e.fn,
      location: e.loc,
      selfMs: Math.round(e.us / 100) / 10,
      selfPercent: Math.round((e.us / Math.max(1, totalUs)) * 1000) / 10,
    }));
  return { totalMs: Math.round(totalUs / 1000), functions };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('Usage: node dist/scripts/bench/cpu-profile-summary.js FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const { totalMs, functions } = summarizeCpuProfile(file, Number(process.argv[3] ?? 25));
  process.stdout.write(`total sampled ${totalMs} ms\n`);
  for (const f of functions) {
    process.stdout.write(
      `${String(f.selfPercent).padStart(5)}%  ${String(f.selfMs).padStart(8)} ms  ${f.function}  ${f.location}\n`,
    );
  }
}
