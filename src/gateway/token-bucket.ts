/**
 * Per-socket request budget: `ratePerSecond` tokens refill continuously up to a
 * burst of the same size. A request takes its cost in tokens (1 unless its route
 * says otherwise, e.g. a batch of N uids costs N) or is refused.
 *
 * A cost larger than the burst can still be paid: the request needs a full
 * bucket and leaves it in debt (negative), which later requests wait out. So
 * over any interval of t seconds the costs taken never exceed
 * `ratePerSecond × (1 + t)` plus one request's excess over the burst — a batch
 * cannot multiply the load behind the limiter.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = ratePerSecond;
    this.last = this.now();
  }

  /** Takes `cost` tokens (a positive integer) when the bucket holds them (or is full), else refuses. */
  tryTake(cost = 1): boolean {
    const now = this.now();
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.ratePerSecond, this.tokens + elapsed * this.ratePerSecond);
    if (this.tokens < Math.min(cost, this.ratePerSecond)) return false;
    this.tokens -= cost;
    return true;
  }
}
