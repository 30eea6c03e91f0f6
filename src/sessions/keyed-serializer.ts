/**
 * Runs the tasks of one key one after the other (tasks of different keys run
 * concurrently). SessionsService queues a user's quota-checked writes here, so a
 * user flooding creates holds at most one database connection of this process
 * while waiting for the user's advisory lock, not the whole pool. Keys are
 * forgotten once their queue is empty.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous ? previous.then(task, task) : task();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running tasks. */
  get size(): number {
    return this.tails.size;
  }
}
