import { Injectable } from '@nestjs/common';

/** Counts requests in flight so a shutdown can wait for them to finish. */
@Injectable()
export class RequestTracker {
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  start(): void {
    this.inFlight += 1;
  }

  finish(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) {
      for (const resolve of this.waiters.splice(0)) resolve();
    }
  }

  /** Resolves when nothing is in flight, or after `timeoutMs` (returns false then). */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
