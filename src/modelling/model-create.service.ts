import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ArchivistClient } from '../archivist/archivist-client.js';
import type { NewFact } from '../archivist/archivist-wire.js';
import { ChangeLogOutbox } from '../change-log/change-log-outbox.js';
import { ClarityError } from '../common/clarity-error.js';
import type { AppConfig } from '../config/app-config.js';
import { CONFIG } from '../config/config.module.js';
import type { Fact } from '../gellish/fact.js';
import { ANYTHING, RelationType } from '../gellish/gellish-uids.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import type { SemanticModel } from '../semantic/model-types.js';
import { ModelUpdateService } from '../semantic/model-update.service.js';
import { SemanticModelService } from '../semantic/semantic-model.service.js';
import { withAdvisoryLock } from '../database/advisory-lock.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import type { CreateModelRequest } from './model-create.schemas.js';

const OPERATION = 'model/create';
/** Name prefix of the advisory locks serialising creates under one supertype (across replicas). */
const LOCK_PREFIX = 'clarity.model-create:';

/** Sibling names compare case-insensitively, with runs of white space as one space. */
export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * `clarity.model/create` (spec §3): a new kind below a supertype, with its
 * definition and optional collection, as one specialization fact submitted to
 * the Archivist (POST /fact/facts, temporary uid 1 → the permanent uid).
 *
 * - The supertype must exist (NOT_FOUND) and be a kind or "anything" (WRONG_NATURE).
 * - A sibling of the same name under that supertype — compared case-insensitively
 *   and ignoring extra white space — is CONFLICT. Creates under one supertype are
 *   serialised (in process, and across replicas by a PostgreSQL advisory lock when
 *   the database answers), so concurrent creates of one name make one kind.
 * - `idempotencyKey`: see IdempotencyKeys (24 h, PostgreSQL, one creation for
 *   concurrent duplicates; the same key with other parameters is CONFLICT).
 * - A lost answer from the Archivist is reconciled by looking the name up under
 *   the supertype (never a blind resend).
 * - Afterwards: a change-log row (`field: "created"`, through the durable outbox),
 *   `clarity.model/updated` to the supertype's subscribers, and the new model, read
 *   fresh (the client's write invalidated the supertype and the new uid).
 */
@Injectable()
export class ModelCreateService {
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(
    private readonly archivist: ArchivistClient,
    private readonly models: SemanticModelService,
    private readonly updates: ModelUpdateService,
    private readonly changeLog: ChangeLogOutbox,
    private readonly keys: IdempotencyKeys,
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(userId: string, p: CreateModelRequest): Promise<SemanticModel> {
    const key = p.idempotencyKey;
    if (key === undefined) return this.createOnce(userId, p, false);
    // A concurrent duplicate waits for the first request: at most the time of its Archivist calls.
    const waitMs = 2 * this.config.archivist.timeoutMs + 10_000;
    const claim = await this.keys.claim(userId, key, OPERATION, fingerprint(p), waitMs);
    if (claim.state === 'done') return claim.result as SemanticModel;
    let model: SemanticModel;
    try {
      model = await this.createOnce(userId, p, claim.adopt);
    } catch (error) {
      const unknownOutcome = error instanceof ClarityError && error.code === 'ARCHIVIST_UNAVAILABLE';
      await (unknownOutcome ? this.keys.markUnknown(userId, key) : this.keys.release(userId, key)).catch(
        (cause: unknown) =>
          this.logger.warn(`idempotency key ${key}: could not record the failure (${String(cause)})`, {
            context: 'ModelCreate',
          }),
      );
      throw error;
    }
    await this.keys.complete(userId, key, model).catch((cause: unknown) =>
      // The kind exists: the client is told so. A repeat of the key reads it back (the row stays pending).
      this.logger.warn(`idempotency key ${key}: result not stored (${String(cause)})`, { context: 'ModelCreate' }),
    );
    return model;
  }

  /** One creation; `adopt`: an earlier attempt with the same key may have created it, so a same-named sibling is it. */
  private async createOnce(userId: string, p: CreateModelRequest, adopt: boolean): Promise<SemanticModel> {
    const supertype = await this.models.getModel(p.supertype_uid, { includeFacts: false });
    if (supertype.nature !== 'kind' && supertype.uid !== ANYTHING) {
      throw new ClarityError(
        'WRONG_NATURE',
        `Entity with UID ${p.supertype_uid} is ${article(supertype.nature)} ${supertype.nature}, not a kind: a supertype must be a kind`,
      );
    }
    let created = false;
    let adopted = false;
    const fact = await this.underSupertypeLock(p.supertype_uid, async () => {
      const sibling = await this.findSibling(p.supertype_uid, p.name);
      if (sibling) {
        if (adopt) {
          adopted = true;
          return sibling;
        }
        throw new ClarityError(
          'CONFLICT',
          `A kind named '${sibling.lh_object_name}' (UID ${sibling.lh_object_uid}) already exists under supertype ${p.supertype_uid}`,
        );
      }
      const submission: NewFact = {
        lh_object_uid: 1,
        lh_object_name: p.name,
        rel_type_uid: RelationType.SPECIALIZATION,
        rel_type_name: 'is a specialization of',
        rh_object_uid: p.supertype_uid,
        rh_object_name: supertype.name,
        full_definition: p.full_definition,
      };
      if (p.partial_definition !== undefined && p.partial_definition !== '') {
        submission.partial_definition = p.partial_definition;
      }
      if (p.collection_uid !== undefined && p.collection_name !== undefined) {
        submission.collection_uid = p.collection_uid;
        submission.collection_name = p.collection_name;
      }
      const result = await this.archivist.submitFacts([submission], {
        reconcile: async () => {
          const found = await this.findSibling(p.supertype_uid, p.name);
          return found ? [found] : null;
        },
      });
      created = result.reconciled !== true;
      adopted = result.reconciled === true;
      return result.facts[0]!;
    });
    const uid = fact.lh_object_uid;
    // Adopted: an earlier attempt (or this one, its answer lost) wrote the kind and may not have logged it.
    if (created || adopted) await this.recordCreation(userId, fact, p, adopted);
    this.logger.info(`${created ? 'Created' : 'Found earlier'} kind ${uid} '${p.name}' under ${p.supertype_uid}`, {
      context: 'ModelCreate',
    });
    return this.models.getModel(uid);
  }

  private async recordCreation(userId: string, fact: Fact, p: CreateModelRequest, adopted: boolean): Promise<void> {
    const created = {
      uid: fact.lh_object_uid,
      name: fact.lh_object_name,
      supertype_uid: p.supertype_uid,
      partial_definition: fact.partial_definition ?? '',
      full_definition: fact.full_definition ?? '',
      collection:
        fact.collection_uid !== undefined ? { uid: fact.collection_uid, name: fact.collection_name ?? '' } : null,
    };
    const change = {
      entityUid: fact.lh_object_uid,
      factUid: fact.fact_uid,
      field: 'created',
      oldValue: null,
      newValue: created,
      changedBy: userId,
    };
    const outcome = adopted ? await this.changeLog.recordUnlessLogged(change) : await this.changeLog.record(change);
    if (outcome === 'already') return; // logged and announced by the attempt that wrote it
    this.updates.announce({
      uid: p.supertype_uid,
      change: {
        field: 'created',
        fact_uid: fact.fact_uid,
        oldValue: null,
        newValue: created,
        changedBy: userId,
        changedAt: new Date().toISOString(),
      },
    });
  }

  /**
   * The specialization fact of a subtype of `supertypeUid` named `name`, read
   * fresh from the Archivist (exact search; the comparison is Clarity's).
   */
  private async findSibling(supertypeUid: number, name: string): Promise<Fact | undefined> {
    const [found, specializationTypes] = await Promise.all([
      this.archivist.search(name, true, { fresh: true }),
      this.specializationTypes(),
    ]);
    return found.find(
      (fact) =>
        fact.rh_object_uid === supertypeUid &&
        specializationTypes.has(fact.rel_type_uid) &&
        sameName(fact.lh_object_name, name),
    );
  }

  /** 1146 and its subtypes (qualification among them), from the Archivist's (cached) cone. */
  private async specializationTypes(): Promise<Set<number>> {
    const cone = await this.archivist.subtypesCone(RelationType.SPECIALIZATION);
    return new Set([RelationType.SPECIALIZATION, ...cone.map((fact) => fact.lh_object_uid)]);
  }

  /**
   * Runs `task` alone among creates under `supertypeUid`: in this process by a
   * promise chain, across replicas by pg_advisory_lock on a dedicated connection
   * (skipped, with a warning, while the database cannot be reached).
   */
  private async underSupertypeLock<T>(supertypeUid: number, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(supertypeUid) ?? Promise.resolve();
    const run = previous.then(() => this.withAdvisoryLock(supertypeUid, task));
    const tail = run.catch(() => undefined);
    this.locks.set(supertypeUid, tail);
    void tail.then(() => {
      if (this.locks.get(supertypeUid) === tail) this.locks.delete(supertypeUid);
    });
    return run;
  }

  private withAdvisoryLock<T>(supertypeUid: number, task: () => Promise<T>): Promise<T> {
    return withAdvisoryLock(this.dataSource, LOCK_PREFIX + supertypeUid, task, (error) =>
      this.logger.warn(
        `Creating under ${supertypeUid} without the cross-replica lock: database unavailable (${error.message})`,
        { context: 'ModelCreate' },
      ),
    );
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** Fingerprint of a create request without its key: the same key with other parameters is refused. */
function fingerprint(p: CreateModelRequest): string {
  const { idempotencyKey: _key, ...rest } = p;
  void _key;
  const canonical = JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, rest[k as keyof typeof rest]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}
