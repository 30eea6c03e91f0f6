import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import type { HistogramSeries } from '../metrics/series-histogram.js';
import { RequestTracker } from './request-tracker.js';

/**
 * Accounting of one request: counted in flight (so a shutdown can wait for it)
 * from start() to finish(), and its duration recorded in
 * `clarity_request_duration_seconds` by operation and result category.
 */
@Injectable()
export class RequestMetrics {
  constructor(
    @Inject(MetricsService) private readonly metrics: Pick<MetricsService, 'requestSeries'>,
    @Inject(RequestTracker) private readonly tracker: Pick<RequestTracker, 'start' | 'finish'>,
  ) {}

  /** Returns the start time, to hand back to finish(). */
  start(): number {
    return this.tracker.start();
  }

  finish(operation: string, category: string, started: number): void {
    this.tracker.finish(started);
    this.seriesOf(operation, category).observe((performance.now() - started) / 1000);
  }

  /** Histogram series by operation, then category: both from small fixed sets (routes, categories). */
  private readonly series = new Map<string, Map<string, HistogramSeries>>();

  private seriesOf(operation: string, category: string): HistogramSeries {
    let byCategory = this.series.get(operation);
    if (byCategory === undefined) {
      byCategory = new Map();
      this.series.set(operation, byCategory);
    }
    let found = byCategory.get(category);
    if (found === undefined) {
      found = this.metrics.requestSeries(operation, category);
      byCategory.set(category, found);
    }
    return found;
  }
}

/** The metric's category of a result: a model's Quintessential category, else `none`. */
export function categoryOf(result: unknown): string {
  if (typeof result !== 'object' || result === null) return 'none';
  // A plain property read (not `in`): results come in many shapes, and this runs on every answer.
  const category = (result as { category?: unknown }).category;
  return typeof category === 'string' ? category : 'none';
}
