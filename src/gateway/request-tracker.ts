import { Injectable } from '@nestjs/common';

/**
 * Counts requests in flight so a shutdown can wait for them to finish. A
 * shutdown waits for the requests that were in flight when it began, not for
 * the ones that keep arriving on open sockets while it drains: busy clients
 * would otherwise keep the count above zero until the bound.
 */
@Injectable()
export class RequestTracker {
  private inFlight = 0;
  /** performance.now() when the drain began; requests started at or before it are waited for. */
  private drainFrom?: number;
  private drainPending = 0;
  private waiters: Array<() => void> = [];

  /** Counts a request in; returns its start time, to hand back to finish(). */
  start(): number {
    this.inFlight += 1;
    return performance.now();
  }

  finish(started: number): void {
    this.inFlight -= 1;
    if (this.drainFrom !== undefined && started <= this.drainFrom) {
      this.drainPending -= 1;
      if (this.drainPending === 0) {
        for (const resolve of this.waiters.splice(0)) resolve();
      }
    }
  }

  /**
   * Resolves true when every request in flight at the first call has finished,
   * or false after `timeoutMs`.
   */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.drainFrom === undefined) {
      this.drainFrom = performance.now();
      this.drainPending = this.inFlight;
    }
    if (this.drainPending <= 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
