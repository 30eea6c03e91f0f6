import type { Registry } from 'prom-client';

/** One line of the exposition, as prom-client's own metrics hand them to the registry. */
interface ExpositionValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One labelled series of a SeriesHistogram: observe() is a bucket search and three additions. */
export interface HistogramSeries {
  observe(value: number): void;
}

class Series implements HistogramSeries {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last one: above every bound (+Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export interface SeriesHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Upper bounds, ascending (+Inf is implied). */
  buckets: readonly number[];
  registers: readonly Registry[];
}

/**
 * A Prometheus histogram for the per-request hot path. prom-client's Histogram
 * validates and hashes the labels on every observation, even through a labelled
 * child (about 0.6 µs a call measured in a loop, 3–5 % of a warm `model/get`'s CPU in the
 * benchmark's profile); here a caller keeps the series it got once from
 * `series(...)` and an observation costs a few nanoseconds. The registry formats it
 * like any prom-client metric (it asks `get()` at scrape time), and the exposition is
 * the same text prom-client's Histogram writes (`series-histogram.spec.ts` compares them).
 */
export class SeriesHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly labelNames: readonly L[];
  private readonly bounds: readonly number[];
  private readonly all = new Map<string, Series>();

  constructor(options: SeriesHistogramOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** The series of these label values (in `labelNames` order), made on first use. */
  series(...values: string[]): HistogramSeries {
    if (values.length !== this.labelNames.length) {
      throw new TypeError(`${this.name} has labels ${this.labelNames.join(', ')}, got ${values.length} values`);
    }
    const key = values.join('\u0000');
    let found = this.all.get(key);
    if (found === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]!));
      found = new Series(labels, this.bounds);
      this.all.set(key, found);
    }
    return found;
  }

  /** prom-client's metric shape (read by Registry.metrics()): cumulative buckets, then sum and count, per series. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: ExpositionValue[];
  }> {
    const values: ExpositionValue[] = [];
    for (const series of this.all.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += series.counts[i]!;
        values.push({
          labels: { le: i < this.bounds.length ? this.bounds[i]! : '+Inf', ...series.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Forgets every observation (Registry.resetMetrics()). */
  reset(): void {
    for (const series of this.all.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
