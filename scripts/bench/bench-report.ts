import type { ColdScenario, ConnectionScenario, LoadScenario, Outcome } from './scenarios.js';

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'SKIP';

export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  verdict: Verdict;
}

export interface Scenarios {
  bare: Outcome<LoadScenario>;
  /** 1b: the bare server sending exactly the warm scenario's answers (same bytes per request). */
  bareSame: Outcome<LoadScenario>;
  /** 1c, informational: the bare server answering with envelopes padded (one string) to an average answer's size. */
  bareSized: Outcome<LoadScenario>;
  warm: Outcome<LoadScenario>;
  cold: Outcome<ColdScenario>;
  batch: Outcome<LoadScenario>;
  connections: Outcome<ConnectionScenario>;
  redis: Outcome<LoadScenario>;
}

export interface Ratios {
  warmOverBareThroughput: number | null;
  /** Warm model/get over the bare server sending the same answers, 1b (target >= 0.9 on TOPini, issue 15). */
  warmOverSameAnswersBareThroughput: number | null;
  /** Server CPU per warm model/get over the same-answers bare server's (what Clarity adds beyond the transport). */
  warmOverSameAnswersBareServerCpuPerRequest: number | null;
  /** Warm model/get over the bare server answering with padded envelopes of the answers' size, 1c (informational). */
  warmOverModelSizedBareThroughput: number | null;
  coldOverWarmThroughput: number | null;
  coldOverWarmMeanLatency: number | null;
  redisOverWarmThroughput: number | null;
  /** Server CPU per warm model/get over server CPU per bare ack (less sensitive to a busy machine than throughput). */
  warmOverBareServerCpuPerRequest: number | null;
}

function ok<T extends { status: string }>(s: T | { status: string }): s is T & { status: 'ok' } {
  return s.status === 'ok';
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

export function computeRatios(s: Scenarios): Ratios {
  const bare = ok<LoadScenario>(s.bare) ? s.bare : undefined;
  const bareSame = ok<LoadScenario>(s.bareSame) ? s.bareSame : undefined;
  const bareSized = ok<LoadScenario>(s.bareSized) ? s.bareSized : undefined;
  const warm = ok<LoadScenario>(s.warm) ? s.warm : undefined;
  const cold = ok<ColdScenario>(s.cold) ? s.cold : undefined;
  const redis = ok<LoadScenario>(s.redis) ? s.redis : undefined;
  /** Server CPU per warm request over `base`'s. */
  const cpuOverWarm = (base: LoadScenario | undefined): number | null =>
    base?.serverCpu && warm?.serverCpu
      ? round(warm.serverCpu.microsecondsPerRequest / base.serverCpu.microsecondsPerRequest, 2)
      : null;
  return {
    warmOverBareThroughput: bare && warm ? round(warm.throughput / bare.throughput) : null,
    warmOverSameAnswersBareThroughput: bareSame && warm ? round(warm.throughput / bareSame.throughput) : null,
    warmOverSameAnswersBareServerCpuPerRequest: cpuOverWarm(bareSame),
    warmOverModelSizedBareThroughput: bareSized && warm ? round(warm.throughput / bareSized.throughput) : null,
    coldOverWarmThroughput: cold && warm ? round(cold.throughput / warm.throughput, 4) : null,
    coldOverWarmMeanLatency: cold ? round(cold.latencyMs.mean / cold.warmAgain.latencyMs.mean, 2) : null,
    redisOverWarmThroughput: redis && warm ? round(redis.throughput / warm.throughput) : null,
    warmOverBareServerCpuPerRequest: cpuOverWarm(bare),
  };
}

/** The targets of the benchmark issue, each PASS/MISS (INFO where the target does not apply, SKIP when not run). */
export function checkTargets(
  s: Scenarios,
  ratios: Ratios,
  { clients, topini }: { clients: number; topini: boolean },
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const pass = (cond: boolean): Verdict => (cond ? 'PASS' : 'MISS');
  const warm = ok<LoadScenario>(s.warm) ? s.warm : undefined;
  const fullLoad = clients === 16 ? '' : ` (run with ${clients} clients, target is at 16: INFO)`;
  checks.push({
    name: 'warm model/get throughput vs bare',
    target: '>= 0.6 x bare',
    value: ratios.warmOverBareThroughput === null ? 'n/a' : `${ratios.warmOverBareThroughput} x${fullLoad}`,
    verdict:
      ratios.warmOverBareThroughput === null
        ? 'SKIP'
        : clients === 16
          ? pass(ratios.warmOverBareThroughput >= 0.6)
          : 'INFO',
  });
  checks.push({
    name: 'warm model/get vs bare, same answers',
    target: '>= 0.9 x bare sending the same answers (1b), TOPini',
    value:
      ratios.warmOverSameAnswersBareThroughput === null
        ? 'n/a'
        : `${ratios.warmOverSameAnswersBareThroughput} x (server CPU per request ${ratios.warmOverSameAnswersBareServerCpuPerRequest ?? 'n/a'} x)${fullLoad}${topini ? '' : ' (bundled KB: INFO)'}`,
    verdict:
      ratios.warmOverSameAnswersBareThroughput === null
        ? 'SKIP'
        : clients === 16 && topini
          ? pass(ratios.warmOverSameAnswersBareThroughput >= 0.9)
          : 'INFO',
  });
  checks.push({
    name: 'warm model/get vs bare, padded answers',
    target: 'informational (1c: answers of the same size, one string)',
    value: ratios.warmOverModelSizedBareThroughput === null ? 'n/a' : `${ratios.warmOverModelSizedBareThroughput} x`,
    verdict: ratios.warmOverModelSizedBareThroughput === null ? 'SKIP' : 'INFO',
  });
  checks.push({
    name: 'warm model/get p99',
    target: '<= 20 ms at 16 clients',
    value: warm ? `${warm.latencyMs.p99} ms${fullLoad}` : 'n/a',
    verdict: !warm ? 'SKIP' : clients === 16 ? pass(warm.latencyMs.p99 <= 20) : 'INFO',
  });
  const cold = ok<ColdScenario>(s.cold) ? s.cold : undefined;
  checks.push({
    name: 'Archivist calls per cold model',
    target: '<= 3 on average over 100 TOPini kinds',
    value: cold
      ? `${cold.callsPerModel} over ${cold.models} models${topini ? '' : ' (bundled KB: INFO)'}; ` +
        `first model ${cold.firstModel.archivistCalls}; incl. it ${cold.callsPerModelIncludingHierarchy}`
      : 'n/a',
    verdict: !cold ? 'SKIP' : topini && cold.models >= 100 ? pass(cold.callsPerModel <= 3) : 'INFO',
  });
  const conn = ok<ConnectionScenario>(s.connections) ? s.connections : undefined;
  const fullScale = conn && conn.sockets >= 5000;
  checks.push({
    name: 'sockets held open',
    target: '5000 open, 0 unexpected disconnects',
    value: conn
      ? `${conn.stillConnected}/${conn.sockets} after ${conn.holdSeconds} s, ${conn.unexpectedDisconnects} disconnects, ${conn.pingsPerSocket} pings/socket`
      : 'n/a',
    verdict: !conn
      ? 'SKIP'
      : conn.stillConnected === conn.sockets && conn.unexpectedDisconnects === 0
        ? fullScale
          ? 'PASS'
          : 'INFO'
        : 'MISS',
  });
  checks.push({
    name: 'resident memory per socket',
    target: '<= 30 KB',
    value: conn
      ? `${conn.rssPerSocketKb} KB (${conn.rssBaselineKb} -> ${Math.max(conn.rssOpenKb, conn.rssAfterHoldKb)} KB)`
      : 'n/a',
    verdict: !conn ? 'SKIP' : fullScale ? pass(conn.rssPerSocketKb <= 30) : 'INFO',
  });
  checks.push({
    name: 'socket beyond the cap refused',
    target: 'connect_error CAPACITY',
    value: conn
      ? conn.extraSocket.refused
        ? `refused: ${conn.extraSocket.code} (${conn.extraSocket.message})`
        : 'CONNECTED'
      : 'n/a',
    verdict: !conn ? 'SKIP' : pass(conn.extraSocket.refused && conn.extraSocket.code === 'CAPACITY'),
  });
  for (const [name, scenario] of Object.entries(s) as Array<
    [string, { status: string; errors?: number; reason?: string }]
  >) {
    checks.push({
      name: `zero errors: ${name}`,
      target: '0',
      value: scenario.status === 'ok' ? String(scenario.errors ?? 0) : `${scenario.status}: ${scenario.reason ?? ''}`,
      verdict:
        scenario.status === 'ok' ? pass((scenario.errors ?? 0) === 0) : scenario.status === 'skipped' ? 'SKIP' : 'MISS',
    });
  }
  return checks;
}

function fmt(v: number | undefined, digits = 1): string {
  return v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The human-readable report (printed before the JSON line). */
export function renderReport(s: Scenarios, ratios: Ratios, targets: TargetCheck[], header: string[]): string {
  const rows: string[][] = [['scenario', 'throughput', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'notes']];
  const loadRow = (name: string, o: Outcome<LoadScenario>, unit = 'req/s', note = ''): void => {
    if (!ok<LoadScenario>(o)) {
      rows.push([name, '-', '-', '-', '-', '-', `${o.status.toUpperCase()}: ${(o as { reason: string }).reason}`]);
      return;
    }
    const thr = unit === 'models/s' ? (o.itemsPerSecond ?? 0) : o.throughput;
    const cpu = o.serverCpu
      ? `, server CPU ${o.serverCpu.microsecondsPerRequest} µs/req (${Math.round(o.serverCpu.utilisation * 100)} %)`
      : '';
    const clientCpu = o.clientCpu ? `, clients ${o.clientCpu.microsecondsPerRequest} µs/req` : '';
    rows.push([
      name,
      `${fmt(thr)} ${unit}`,
      fmt(o.latencyMs.p50, 2),
      fmt(o.latencyMs.p95, 2),
      fmt(o.latencyMs.p99, 2),
      String(o.errors),
      `${o.clients} clients, ${o.requests} req${note}${cpu}${clientCpu}`,
    ]);
  };
  loadRow('1 bare Socket.IO ack', s.bare);
  loadRow('1b bare, same answers', s.bareSame, 'req/s', ok<LoadScenario>(s.bareSame) ? ', the warm answers' : '');
  loadRow(
    '1c bare, padded ack',
    s.bareSized,
    'req/s',
    ok<LoadScenario>(s.bareSized) ? `, +${String(s.bareSized.paddingBytes)} B padding` : '',
  );
  loadRow(
    '2 model/get warm',
    s.warm,
    'req/s',
    ok<LoadScenario>(s.warm)
      ? `, ${String(s.warm.distinctUids)} uids, ${String((s.warm.priming as { responseBytes: { mean: number } }).responseBytes.mean)} B/answer`
      : '',
  );
  if (ok<ColdScenario>(s.cold)) {
    const c = s.cold;
    rows.push([
      '3 model/get cold',
      `${fmt(c.throughput)} models/s`,
      fmt(c.latencyMs.p50, 2),
      fmt(c.latencyMs.p95, 2),
      fmt(c.latencyMs.p99, 2),
      String(c.errors),
      `${c.models} models, ${c.callsPerModel} Archivist calls/model (max ${c.perModel.max}); first model ${c.firstModel.archivistCalls}`,
    ]);
  } else
    rows.push([
      '3 model/get cold',
      '-',
      '-',
      '-',
      '-',
      '-',
      `${s.cold.status.toUpperCase()}: ${(s.cold as { reason: string }).reason}`,
    ]);
  loadRow(
    '4 model/get-batch',
    s.batch,
    'models/s',
    ok<LoadScenario>(s.batch) ? `, ${String(s.batch.uidsPerRequest)} uids/req (${fmt(s.batch.throughput)} req/s)` : '',
  );
  if (ok<ConnectionScenario>(s.connections)) {
    const c = s.connections;
    rows.push([
      '5 connection scale',
      `${fmt(c.handshakesPerSecond, 0)} handshakes/s`,
      '-',
      '-',
      '-',
      String(c.errors),
      `${c.opened}/${c.sockets} open, ${c.rssPerSocketKb} KB RSS/socket, held ${c.holdSeconds} s: ${c.unexpectedDisconnects} disconnects, #${c.sockets + 1}: ${c.extraSocket.code ?? 'not refused'}`,
    ]);
  } else
    rows.push([
      '5 connection scale',
      '-',
      '-',
      '-',
      '-',
      '-',
      `${s.connections.status.toUpperCase()}: ${(s.connections as { reason: string }).reason}`,
    ]);
  loadRow('6 model/get warm + Redis', s.redis);

  const ratioLines = [
    `warm / bare throughput:      ${ratios.warmOverBareThroughput ?? 'n/a'}`,
    `warm / bare, same answers (1b): ${ratios.warmOverSameAnswersBareThroughput ?? 'n/a'} (server CPU per request ${ratios.warmOverSameAnswersBareServerCpuPerRequest ?? 'n/a'})`,
    `warm / bare, padded (1c):    ${ratios.warmOverModelSizedBareThroughput ?? 'n/a'}`,
    `cold / warm throughput:      ${ratios.coldOverWarmThroughput ?? 'n/a'} (cold: 1 client, each uid once)`,
    `cold / warm mean latency:    ${ratios.coldOverWarmMeanLatency ?? 'n/a'} (both 1 client: the cold uids, then the same uids again)`,
    `warm+Redis / warm throughput: ${ratios.redisOverWarmThroughput ?? 'n/a'}`,
    `warm / bare server CPU per request: ${ratios.warmOverBareServerCpuPerRequest ?? 'n/a'}`,
  ];
  const targetRows = [
    ['target', 'wanted', 'measured', ''],
    ...targets.map((t) => [t.name, t.target, t.value, t.verdict]),
  ];
  const widths = targetRows[0]!.map((_, c) => Math.max(...targetRows.map((r) => r[c]!.length)));
  const targetTable = targetRows
    .map((r) => `${r[3]!.padEnd(4)}  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`)
    .join('\n');
  return [
    ...header,
    '',
    table(rows),
    '',
    'Ratios',
    ...ratioLines.map((l) => `  ${l}`),
    '',
    'Targets',
    targetTable.replace(/^/gm, '  '),
    '',
  ].join('\n');
}
