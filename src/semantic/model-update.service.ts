import { EventEmitter } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { ArchivistClient } from '../archivist/archivist-client.js';
import { ChangeLogOutbox } from '../change-log/change-log-outbox.js';
import { ClarityError } from '../common/clarity-error.js';
import { SemanticModelService } from './semantic-model.service.js';
import type { ModelUpdateRequest } from './model-update.schemas.js';
import type { SemanticModel } from './model-types.js';

/** Deepest walk up the specialization/classification hierarchy when collecting what names an entity. */
const MAX_ANCESTRY_DEPTH = 64;

export interface ModelChange {
  field: 'definition' | 'name' | 'collection' | 'created';
  fact_uid: number;
  oldValue: unknown;
  newValue: unknown;
  changedBy: string;
  changedAt: string;
}

/** What subscribers of an entity receive as `clarity.model/updated`. */
export interface ModelUpdatedEvent {
  uid: number;
  change: ModelChange;
}

/**
 * Updates of definitions, names and collections (spec §3): picks the entity's
 * definitive fact, submits the change to the Archivist (the client's write is
 * the update's one invalidation of the cached facts and models, here and on
 * every replica), writes the change log and announces the change to subscribers.
 */
@Injectable()
export class ModelUpdateService {
  private readonly events = new EventEmitter();

  constructor(
    private readonly archivist: ArchivistClient,
    private readonly models: SemanticModelService,
    private readonly changeLog: ChangeLogOutbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onUpdated(listener: (event: ModelUpdatedEvent) => void): void {
    this.events.on('updated', listener);
  }

  /** Tells the subscribers of `uid` (on every replica, through the gateway) about a change. */
  announce(event: ModelUpdatedEvent): void {
    this.events.emit('updated', event);
  }

  async updateDefinition(
    userId: string,
    p: { uid: number; partial_definition: string; full_definition: string; fact_uid?: number },
  ) {
    const fact = await this.models.definitiveFactFor(p.uid, p.fact_uid);
    await this.archivist.submitDefinition(
      { fact_uid: fact.fact_uid, partial_definition: p.partial_definition, full_definition: p.full_definition },
      p.uid,
    );
    await this.record(
      userId,
      p.uid,
      fact.fact_uid,
      'definition',
      { partial_definition: fact.partial_definition ?? '', full_definition: fact.full_definition ?? '' },
      { partial_definition: p.partial_definition, full_definition: p.full_definition },
    );
    return {
      fact_uid: fact.fact_uid,
      updated: true as const,
      partial_definition: p.partial_definition,
      full_definition: p.full_definition,
    };
  }

  async updateName(userId: string, p: { uid: number; name: string; fact_uid?: number }) {
    const fact = await this.models.definitiveFactFor(p.uid, p.fact_uid);
    const mentions = await this.mentionsOf(p.uid);
    await this.archivist.submitName({ fact_uid: fact.fact_uid, name: p.name }, p.uid, mentions);
    await this.record(userId, p.uid, fact.fact_uid, 'name', fact.lh_object_name, p.name);
    return { fact_uid: fact.fact_uid, updated: true as const, name: p.name };
  }

  async updateCollection(userId: string, p: { fact_uid: number; collection_uid: number; collection_name: string }) {
    const fact = await this.archivist.fact(p.fact_uid);
    if (!fact) throw new ClarityError('NOT_FOUND', `Fact with UID ${p.fact_uid} not found`);
    await this.archivist.submitCollection(
      { fact_uid: p.fact_uid, collection_uid: p.collection_uid, collection_name: p.collection_name },
      fact.lh_object_uid,
    );
    const before =
      fact.collection_uid !== undefined ? { uid: fact.collection_uid, name: fact.collection_name ?? '' } : null;
    await this.record(userId, fact.lh_object_uid, p.fact_uid, 'collection', before, {
      uid: p.collection_uid,
      name: p.collection_name,
    });
    return {
      fact_uid: p.fact_uid,
      updated: true as const,
      collection_uid: p.collection_uid,
      collection_name: p.collection_name,
    };
  }

  /**
   * `clarity.model/update` (spec §3): applies the given name, definition and
   * collection to the entity's definitive fact exactly as update-name,
   * update-definition and update-collection do (each with its change-log row and
   * notification), in that order, then answers the updated model. A definition
   * half that is not given keeps its current text. When a later change fails
   * after an earlier one was applied, the error keeps its code and says which
   * changes were applied, so the client knows exactly what happened.
   */
  async updateModel(userId: string, p: ModelUpdateRequest): Promise<SemanticModel> {
    const uid = p.modelId;
    const data = p.data ?? {};
    const fact = await this.models.definitiveFactFor(uid);
    const applied: string[] = [];
    const step = async (what: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
        applied.push(what);
      } catch (error) {
        if (applied.length === 0) throw error;
        const done = `already applied: ${applied.join(', ')}`;
        if (error instanceof ClarityError) throw new ClarityError(error.code, `${error.message} (${done})`);
        this.logger.error(`model/update of entity ${uid} failed after ${applied.join(', ')}: ${String(error)}`, {
          context: 'ModelUpdate',
          stack: error instanceof Error ? error.stack : undefined,
        });
        throw new ClarityError('INTERNAL', `Updating the ${what} failed (${done})`);
      }
    };
    if (p.name !== undefined) {
      const name = p.name;
      await step('name', () => this.updateName(userId, { uid, name, fact_uid: fact.fact_uid }));
    }
    if (data.partial_definition !== undefined || data.full_definition !== undefined) {
      const partial = data.partial_definition ?? fact.partial_definition ?? '';
      const full = data.full_definition ?? fact.full_definition ?? '';
      await step('definition', () =>
        this.updateDefinition(userId, {
          uid,
          partial_definition: partial,
          full_definition: full,
          fact_uid: fact.fact_uid,
        }),
      );
    }
    if (data.collection_uid !== undefined && data.collection_name !== undefined) {
      const collection = { collection_uid: data.collection_uid, collection_name: data.collection_name };
      await step('collection', () => this.updateCollection(userId, { fact_uid: fact.fact_uid, ...collection }));
    }
    return this.models.getModel(uid);
  }

  /**
   * What else shows an entity's name, so that a rename invalidates it too: the
   * other objects and the facts of its related facts (their lists name it), and its
   * ancestors / classifiers (their subtype cones and classified lists name it).
   */
  private async mentionsOf(uid: number): Promise<number[]> {
    const mentions = new Set<number>();
    for (const fact of await this.archivist.allRelatedFacts(uid)) {
      mentions.add(fact.fact_uid).add(fact.lh_object_uid).add(fact.rh_object_uid);
    }
    let frontier = [uid];
    const seen = new Set(frontier);
    for (let depth = 0; depth < MAX_ANCESTRY_DEPTH && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const entity of frontier) {
        for (const fact of await this.archivist.definitiveFacts(entity)) {
          if (seen.has(fact.rh_object_uid)) continue;
          seen.add(fact.rh_object_uid);
          mentions.add(fact.rh_object_uid);
          next.push(fact.rh_object_uid);
        }
      }
      frontier = next;
    }
    mentions.delete(uid);
    return [...mentions];
  }

  private async record(
    userId: string,
    uid: number,
    factUid: number,
    field: ModelChange['field'],
    oldValue: unknown,
    newValue: unknown,
  ): Promise<void> {
    const change: ModelChange = {
      field,
      fact_uid: factUid,
      oldValue,
      newValue,
      changedBy: userId,
      changedAt: new Date().toISOString(),
    };
    // The Archivist accepted the write: the row goes to the database now or, if it
    // cannot take it, to the durable outbox; either way the update has succeeded.
    const logged = await this.changeLog.record({
      entityUid: uid,
      factUid,
      field,
      oldValue,
      newValue,
      changedBy: userId,
    });
    this.logger.info(
      `Updated ${field} of entity ${uid} (fact ${factUid})${logged === 'queued' ? '; change-log row queued' : ''}`,
      { context: 'ModelUpdate' },
    );
    this.announce({ uid, change });
  }
}
