/** What GET /stats answers. */
export interface RequestStatsSnapshot {
  total: number;
  byPath: Record<string, number>;
}

/** Counts served requests per endpoint path (e.g. to count Archivist calls per model). */
export class RequestStats {
  private counts = new Map<string, number>();

  record(path: string): void {
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
  }

  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  snapshot(): RequestStatsSnapshot {
    const byPath = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    return { total, byPath };
  }

  reset(): void {
    this.counts = new Map();
  }
}
