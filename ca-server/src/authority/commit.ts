/** Group commit of the authority's writes: one durable transaction (one fsync) for the writes queued in one tick. */
import type { CaStore } from '../store/types';

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Queues writes and commits them together; each runs in its own savepoint. */
export class GroupCommit {
  private readonly queue: Job[] = [];
  private scheduled = false;

  constructor(private readonly store: CaStore) {}

  /**
   * Runs `fn` inside one durable transaction shared with the other writes queued in the same tick (each in its own
   * savepoint, so one refusal does not undo the others). Resolves once the COMMIT is on disk (its write-ahead log
   * synced, off the event loop): nothing is returned to a client before, and concurrent enrollments share one sync.
   */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue.splice(0);
    const results: Array<{ ok: boolean; value: unknown }> = [];
    let durable: Promise<void>;
    try {
      // The disk sync runs off the event loop: the next batch is prepared while this one is made durable.
      durable = this.store.transactionDurableLater(() => {
        for (const job of jobs) {
          try {
            results.push({ ok: true, value: this.store.transaction(job.fn) });
          } catch (err) {
            results.push({ ok: false, value: err });
          }
        }
      }).durable;
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    // Nothing is answered before the batch is on disk.
    durable.then(
      () =>
        jobs.forEach((job, i) =>
          results[i]!.ok ? job.resolve(results[i]!.value) : job.reject(results[i]!.value),
        ),
      (err: unknown) => {
        for (const job of jobs) job.reject(err);
      },
    );
  }
}
