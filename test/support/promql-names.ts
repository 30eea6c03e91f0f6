/**
 * Helpers of the monitoring tests: which metric names (and label names in
 * matchers) a PromQL expression uses, and which metric families a Prometheus
 * text exposition (/metrics) offers.
 */

export interface PromqlSelector {
  /** The metric name as written, e.g. clarity_request_duration_seconds_bucket. */
  name: string;
  /** Label names of its matchers ({a="x", b=~"y"} → a, b). */
  labels: string[];
}

/** Words that look like identifiers in PromQL but are no metric names. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
  'start',
  'end',
]);

/**
 * The vector selectors of a PromQL expression (Grafana's $variables and
 * ${variables} allowed). An identifier is a metric name unless it is a keyword,
 * a function or aggregation (followed by "("), a label name (inside {…} or a
 * by/without/on/ignoring/group_left/group_right list) or part of a number or
 * duration (5m, 1e3).
 */
export function promqlSelectors(expr: string): PromqlSelector[] {
  let s = expr
    // strings first: they may hold anything, including braces and $variables
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/#[^\n]*/g, ' ')
    // Grafana variables and macros outside strings ($__rate_interval, ${q}, [[v]])
    .replace(/\$\{[^}]*\}|\$\w+|\[\[\w+\]\]/g, '0');
  // range and subquery brackets: [5m], [1h:1m], [0]
  s = s.replace(/\[[^\]]*\]/g, ' ');
  // label lists of grouping and vector matching
  s = s.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');

  const selectors: PromqlSelector[] = [];
  const token = /(?<![\w:.])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?\s*(\()?/g;
  for (let m = token.exec(s); m; m = token.exec(s)) {
    const [, name, matchers, call] = m;
    if (KEYWORDS.has(name!.toLowerCase())) continue;
    if (call && !matchers) {
      // a function or aggregation: keep scanning inside its parentheses
      token.lastIndex = m.index + m[0].length;
      continue;
    }
    const labels = [...(matchers ?? '').matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!);
    selectors.push({ name: name!, labels });
    if (call) token.lastIndex = m.index + m[0].length - 1;
  }
  return selectors;
}

/**
 * The PromQL expression inside a Grafana templating query:
 * label_values(expr, label) → expr; label_values(label) → none;
 * query_result(expr) → expr; anything else is PromQL itself.
 */
export function grafanaVariableExpression(query: string): string | undefined {
  const q = query.trim();
  const labelValues = /^label_values\s*\((.*)\)$/s.exec(q);
  if (labelValues) {
    const inner = labelValues[1]!;
    const comma = inner.lastIndexOf(',');
    return comma < 0 ? undefined : inner.slice(0, comma);
  }
  const other = /^(?:query_result|metrics)\s*\((.*)\)$/s.exec(q);
  return other ? other[1] : q;
}

export interface MetricFamily {
  type: string;
  /** Label names seen on its samples (without le / quantile). */
  labels: Set<string>;
  samples: number;
}

const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_count', '_sum'],
  summary: ['_count', '_sum'],
};

/** Metric families of a Prometheus text exposition, by their # TYPE lines. */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][\w:]*) (\w+)/.exec(line);
    if (type) families.set(type[1]!, { type: type[2]!, labels: new Set(), samples: 0 });
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s/.exec(line);
    if (!sample) continue;
    const family = families.get(familyName(sample[1]!, families) ?? '');
    if (!family) continue;
    family.samples++;
    for (const l of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) {
      if (l[1] !== 'le' && l[1] !== 'quantile') family.labels.add(l[1]!);
    }
  }
  return families;
}

/**
 * The family a series name belongs to: itself, or for name_bucket / _count /
 * _sum the histogram (or summary) family it was cut from. undefined when
 * /metrics has no such series name.
 */
export function familyName(name: string, families: Map<string, MetricFamily>): string | undefined {
  const own = families.get(name);
  if (own && !SUFFIXES[own.type]) return name;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === type) return base;
    }
  }
  return undefined;
}
