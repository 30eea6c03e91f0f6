import type { DataSource } from 'typeorm';

/**
 * Runs `task` holding the PostgreSQL advisory lock named `key` (hashed with
 * hashtextextended), on a dedicated connection, so that one task per key runs at a
 * time across every replica. When the lock cannot be taken (database unavailable),
 * `withoutLock` decides: return to run the task anyway, or throw to refuse it.
 * The lock is released with the task's end (or with the connection).
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  key: string,
  task: () => Promise<T>,
  withoutLock: (error: Error) => void,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  let locked = false;
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    locked = true;
  } catch (error) {
    try {
      withoutLock(error as Error);
    } catch (refusal) {
      await runner.release().catch(() => undefined);
      throw refusal;
    }
  }
  try {
    return await task();
  } finally {
    if (locked) {
      await runner
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
        .catch(() => undefined /* the session ends with release: the lock goes with it */);
    }
    await runner.release().catch(() => undefined);
  }
}
