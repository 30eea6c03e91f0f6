import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { changeRow, checkChangeRecord, type ChangeRow, type RecordChangeInput } from './change-record.js';
import { ModelChangeRepository } from './model-change.repository.js';

/** One change-log row waiting for the database. */
export interface OutboxEntry extends ChangeRow {
  id: string;
  /** When the change happened (ISO-8601): the row carries this time, not the time it was written. */
  changedAt: string;
}

/**
 * `written`: the row is in PostgreSQL; `queued`: it is in the outbox and will be
 * written once the database takes it; `rejected`: the record itself cannot be
 * stored even after repair (logged in full as an error; never thrown, since the
 * update it records has happened).
 */
export type OutboxOutcome = 'written' | 'queued' | 'rejected';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * The change log's durable outbox (spec §8: an update is one unit). After the
 * Archivist accepted a write, its change-log row must not be lost and must not
 * turn the applied update into a reported failure. `record()` inserts the row;
 * when the database cannot take it (down, restarting, out of connections, any
 * error) the row is appended to a local append-only file (CHANGE_LOG_OUTBOX,
 * fsync'd) and kept in memory, and a retry loop with exponential back-off
 * (250 ms … 30 s) writes it, in order, once PostgreSQL is back. `record()` then
 * resolves `queued` instead of failing.
 *
 * Why a file and not PostgreSQL: the outbox is needed exactly when PostgreSQL is
 * unreachable. The file survives a crash of the process: at start-up the rows
 * it still holds are written (the insert skips a row that is already there, so a
 * crash between the insert and the file's bookkeeping writes no duplicate). The
 * file is per process: replicas must not share one (each pod has its own); a
 * pod whose filesystem is discarded while rows are pending loses those rows —
 * each queued row is also logged in full (warn) so it can be recovered by hand.
 */
@Injectable()
export class ChangeLogOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly file: string;
  private readonly pending: OutboxEntry[] = [];
  private handle?: FileHandle;
  /** File operations, serialised. */
  private fileOps: Promise<unknown> = Promise.resolve();
  private draining?: Promise<void>;
  private wake?: () => void;
  private closed = false;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    private readonly changes: ModelChangeRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() metrics?: MetricsService,
  ) {
    this.file = config.changeLogOutboxFile;
    metrics?.trackChangeLogOutbox(() => this.pending.length);
  }

  /** Rows not yet in the database. */
  get pendingCount(): number {
    return this.pending.length;
  }

  async onApplicationBootstrap(): Promise<void> {
    let left: OutboxEntry[] = [];
    try {
      await mkdir(dirname(this.file), { recursive: true });
      left = await readOutbox(this.file, this.logger);
      this.handle = await open(this.file, 'a');
    } catch (error) {
      // e.g. a read-only root filesystem: updates still succeed, queued rows then live in memory only.
      this.logger.error(
        `Change-log outbox ${this.file} cannot be opened (${describe(error)}): rows queued while the database ` +
          'is down are kept in memory only; set CHANGE_LOG_OUTBOX to a writable, persistent path',
        { context: 'ChangeLogOutbox' },
      );
    }
    if (left.length > 0) {
      this.pending.push(...left);
      this.logger.warn(`Change-log outbox ${this.file}: ${left.length} row(s) from an earlier run, writing them now`, {
        context: 'ChangeLogOutbox',
      });
      this.startDrain();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.draining;
    await this.fileOps;
    if (this.pending.length > 0) {
      this.logger.warn(
        `Change-log outbox: ${this.pending.length} row(s) not yet written; kept in ${this.file} for the next start`,
        { context: 'ChangeLogOutbox' },
      );
    }
    await this.handle?.close();
    this.handle = undefined;
  }

  /**
   * Records a change that has happened: written now when the database takes it,
   * else queued (in the file; in memory only when even the file cannot be
   * written). Never throws: the change it records has already happened.
   */
  async record(input: RecordChangeInput): Promise<OutboxOutcome> {
    let change: ReturnType<typeof checkChangeRecord>;
    try {
      change = checkChangeRecord(input);
    } catch {
      // e.g. a NUL the Archivist took: store the text with U+FFFD in its place rather than lose the row.
      try {
        change = checkChangeRecord(storable(input));
      } catch (error) {
        this.logger.error(`Change-log row cannot be stored (${describe(error)}): ${safeJson(input)}`, {
          context: 'ChangeLogOutbox',
        });
        return 'rejected';
      }
    }
    const entry: OutboxEntry = { id: randomUUID(), ...changeRow(change), changedAt: new Date().toISOString() };
    if (this.pending.length === 0) {
      try {
        await this.insert(entry);
        return 'written';
      } catch (error) {
        this.logger.warn(`Change-log row for entity ${entry.entityUid} queued: ${describe(error)}`, {
          context: 'ChangeLogOutbox',
        });
      }
    }
    this.pending.push(entry);
    this.logger.warn(`Change-log outbox: queued ${JSON.stringify(entry)}`, { context: 'ChangeLogOutbox' });
    try {
      await this.serialized(async () => {
        await this.handle?.appendFile(`${JSON.stringify(entry)}\n`, 'utf8');
        await this.handle?.sync();
      });
    } catch (error) {
      this.logger.error(
        `Change-log outbox ${this.file} cannot be written (${describe(error)}): the row is kept in memory only`,
        { context: 'ChangeLogOutbox' },
      );
    } finally {
      this.startDrain();
    }
    return 'queued';
  }

  /**
   * Records a change that an earlier attempt (another process, before a crash or a
   * lost answer) may already have recorded: nothing when the log, or this outbox's
   * queue, holds a row of the same field for the same entity and fact. When the
   * database cannot say, the row is recorded (queued): a rare twin beats a lost row.
   */
  async recordUnlessLogged(input: RecordChangeInput): Promise<OutboxOutcome | 'already'> {
    const factUid = input.factUid ?? null;
    const queued = this.pending.some(
      (e) => e.entityUid === input.entityUid && e.factUid === factUid && e.field === input.field,
    );
    if (queued) return 'already';
    try {
      if (await this.changes.has(input.entityUid, factUid, input.field)) return 'already';
    } catch (error) {
      this.logger.warn(`Change-log check for entity ${input.entityUid} failed (${describe(error)}); recording`, {
        context: 'ChangeLogOutbox',
      });
    }
    return this.record(input);
  }

  /** Resolves once every queued row is written (tests, shutdown tooling); `false` if the outbox closed first. */
  async flushed(): Promise<boolean> {
    while (this.pending.length > 0 && !this.closed) {
      this.startDrain();
      await this.draining;
    }
    return this.pending.length === 0;
  }

  private insert(entry: OutboxEntry): Promise<boolean> {
    return this.changes.insertOnce({
      entityUid: entry.entityUid,
      factUid: entry.factUid,
      field: entry.field,
      oldValue: entry.oldValue,
      newValue: entry.newValue,
      changedBy: entry.changedBy,
      changedAt: new Date(entry.changedAt),
    });
  }

  private startDrain(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let failures = 0;
    while (this.pending.length > 0 && !this.closed) {
      const entry = this.pending[0]!;
      try {
        await this.insert(entry);
        this.pending.shift();
        delay = FIRST_RETRY_MS;
        if (failures > 0) {
          this.logger.info(`Change-log outbox: the database takes rows again (${this.pending.length} left)`, {
            context: 'ChangeLogOutbox',
          });
          failures = 0;
        }
      } catch (error) {
        failures++;
        if (failures === 1 || failures % 10 === 0) {
          this.logger.warn(
            `Change-log outbox: ${this.pending.length} row(s) wait for the database (${describe(error)}); retrying in ${delay} ms`,
            { context: 'ChangeLogOutbox' },
          );
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
    // Everything is in the database: the file starts over (only if nothing was queued meanwhile).
    await this.serialized(async () => {
      if (this.pending.length === 0) await this.handle?.truncate(0);
    }).catch((error: unknown) =>
      this.logger.warn(`Change-log outbox ${this.file} could not be emptied: ${describe(error)}`, {
        context: 'ChangeLogOutbox',
      }),
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.fileOps.then(operation);
    this.fileOps = result.catch(() => undefined);
    return result;
  }
}

async function readOutbox(file: string, logger: Logger): Promise<OutboxEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: OutboxEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const entry = JSON.parse(line) as OutboxEntry;
      if (
        typeof entry.entityUid === 'number' &&
        typeof entry.field === 'string' &&
        typeof entry.changedAt === 'string'
      ) {
        entries.push(entry);
        return;
      }
    } catch {
      // a torn last line: never acknowledged as queued
    }
    logger.warn(`Change-log outbox ${file} line ${index + 1}: not a valid entry, skipped`, {
      context: 'ChangeLogOutbox',
    });
  });
  return entries;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error && cause.message !== message ? `${message}: ${cause.message}` : message;
}

const NOT_STORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The record with every string's NULs and lone surrogates replaced by U+FFFD. */
export function storable(input: RecordChangeInput): RecordChangeInput {
  const repair = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(NOT_STORABLE_TEXT, '\uFFFD');
    if (Array.isArray(value)) return value.map(repair);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [repair(k) as string, repair(v)]));
    }
    return value;
  };
  return repair(input) as RecordChangeInput;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 4000);
  } catch {
    return String(value);
  }
}
