import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ClarityError } from '../common/clarity-error.js';
import { guardDatabase } from '../database/database-errors.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

/** How long a key is honoured. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** A `pending` key not touched for this long belongs to a process that died: another may take it over. */
const STALE_PENDING_MS = 5 * 60_000;
const POLL_MS = 100;

/**
 * What claiming a key gives: run the operation (`adopt`: an earlier attempt may
 * have applied it, so read back first), or the first attempt's result.
 */
export type Claim = { state: 'run'; adopt: boolean } | { state: 'done'; result: unknown };

/**
 * Idempotency keys in PostgreSQL (table `idempotency_key`): the first request with
 * a key inserts a `pending` row (the primary key (owner, key) lets exactly one of
 * concurrent duplicates do so, on any replica), runs the operation and stores its
 * result; a repeat within 24 h gets that result, or waits while the first runs.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(@InjectRepository(IdempotencyKeyEntity) private readonly keys: Repository<IdempotencyKeyEntity>) {}

  async claim(owner: string, key: string, operation: string, requestHash: string, waitMs: number): Promise<Claim> {
    return guardDatabase(async () => {
      await this.keys.query(
        `DELETE FROM "idempotency_key" WHERE "owner" = $1 AND "key" = $2
           AND "created_at" < now() - make_interval(hours => $3)`,
        [owner, key, IDEMPOTENCY_TTL_HOURS],
      );
      const inserted: unknown = await this.keys.query(
        `INSERT INTO "idempotency_key" ("owner", "key", "operation", "request_hash", "status")
         VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT DO NOTHING RETURNING "key"`,
        [owner, key, operation, requestHash],
      );
      if (Array.isArray(inserted) && inserted.length > 0) return { state: 'run', adopt: false };
      const deadline = Date.now() + waitMs;
      for (;;) {
        const row = await this.keys.findOneBy({ owner, key });
        if (!row) return this.claim(owner, key, operation, requestHash, Math.max(0, deadline - Date.now()));
        if (row.operation !== operation || row.requestHash !== requestHash) {
          throw new ClarityError(
            'CONFLICT',
            `idempotencyKey ${key} was already used for a different request; use a new key for a new request`,
          );
        }
        if (row.status === 'done') return { state: 'done', result: row.result };
        if (row.status === 'unknown' || Date.now() - row.updatedAt.getTime() > STALE_PENDING_MS) {
          // The earlier attempt's outcome is unknown (or its process died): take the key over and read back.
          const taken: unknown = await this.keys.query(
            `UPDATE "idempotency_key" SET "status" = 'pending', "updated_at" = now()
             WHERE "owner" = $1 AND "key" = $2
               AND ("status" = 'unknown' OR ("status" = 'pending' AND "updated_at" < now() - make_interval(secs => $3)))
             RETURNING "key"`,
            [owner, key, STALE_PENDING_MS / 1000],
          );
          if (hasRows(taken as unknown[])) return { state: 'run', adopt: true };
          continue;
        }
        if (Date.now() >= deadline) {
          throw new ClarityError(
            'CONFLICT',
            `A request with idempotencyKey ${key} is still in progress; try again later`,
          );
        }
        await sleep(POLL_MS);
      }
    });
  }

  /** Stores the operation's result: repeats of the key get it. */
  async complete(owner: string, key: string, result: unknown): Promise<void> {
    await guardDatabase(() =>
      this.keys.query(
        `UPDATE "idempotency_key" SET "status" = 'done', "result" = $3::jsonb, "updated_at" = now()
         WHERE "owner" = $1 AND "key" = $2`,
        [owner, key, JSON.stringify(result)],
      ),
    );
  }

  /** The operation failed having applied nothing: the key is free again. */
  async release(owner: string, key: string): Promise<void> {
    await guardDatabase(() =>
      this.keys.query(`DELETE FROM "idempotency_key" WHERE "owner" = $1 AND "key" = $2 AND "status" <> 'done'`, [
        owner,
        key,
      ]),
    );
  }

  /** The operation's outcome is unknown (its write's answer was lost): the next repeat reads back first. */
  async markUnknown(owner: string, key: string): Promise<void> {
    await guardDatabase(() =>
      this.keys.query(
        `UPDATE "idempotency_key" SET "status" = 'unknown', "updated_at" = now()
         WHERE "owner" = $1 AND "key" = $2 AND "status" = 'pending'`,
        [owner, key],
      ),
    );
  }
}

/** pg's UPDATE … RETURNING through TypeORM answers [rows, count]. */
function hasRows(result: unknown[]): boolean {
  const [rows, count] = result as [unknown, unknown];
  if (Array.isArray(rows)) return rows.length > 0;
  return typeof count === 'number' ? count > 0 : result.length > 0;
}
