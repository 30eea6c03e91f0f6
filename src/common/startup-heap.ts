import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * One full garbage collection, run once when start-up is done and before Clarity takes
 * requests. Start-up (Nest, TypeORM, migrations, the API documents) leaves tens of MB of
 * garbage and V8 part-way through marking it, and its major collection then lands on the
 * first models a fresh process builds (measured on TOPini + 1,000,000 facts: 10–30 ms
 * of a 30–90 ms first hub model). Collected here, it costs start-up 40–70 ms instead.
 *
 * Without `--expose-gc` the collector is reached the way jest's leak detector does it:
 * the flag is set for one new context that hands out its `gc`, then unset again, so no
 * other context (and not this one's globals) gains a `gc` function.
 * Returns how long the collection took, in ms.
 */
export function collectStartupGarbage(): number {
  const started = performance.now();
  collector()();
  return performance.now() - started;
}

function collector(): () => void {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
