import { Injectable } from '@nestjs/common';
import { ModelChangeRepository, type ModelChangeRecord } from './model-change.repository.js';
import {
  HISTORY_DEFAULT_LIMIT,
  historyRequestSchema,
  parseInput,
  recordChangeSchema,
  type RecordChangeInput,
} from './session.schemas.js';

/**
 * A change-log entry as clients receive it (`clarity.model/history`): the stored
 * record with `changedAt` as ISO-8601 UTC. Values are any JSON value: a string for
 * name changes, objects for definitions and collections, null when none.
 */
export type ModelChangeDto = Omit<ModelChangeRecord, 'changedAt'> & { changedAt: string };

function toDto(record: ModelChangeRecord): ModelChangeDto {
  return { ...record, changedAt: record.changedAt.toISOString() };
}

/**
 * The model change log (spec §8). The model update handlers call record() after
 * each successful update-definition / update-name / update-collection.
 */
@Injectable()
export class ChangeLogService {
  constructor(private readonly changes: ModelChangeRepository) {}

  async record(input: RecordChangeInput): Promise<ModelChangeDto> {
    const change = parseInput(recordChangeSchema, input);
    const record = await this.changes.insert({
      entityUid: change.entityUid,
      factUid: change.factUid ?? null,
      field: change.field,
      oldValue: change.oldValue,
      newValue: change.newValue,
      changedBy: change.changedBy,
    });
    return toDto(record);
  }

  /** The entity's entries, newest first; `limit` 1..500, default 50. */
  async history(entityUid: number, limit: number = HISTORY_DEFAULT_LIMIT): Promise<ModelChangeDto[]> {
    const params = parseInput(historyRequestSchema, { uid: entityUid, limit });
    const records = await this.changes.listByEntity(params.uid, params.limit ?? HISTORY_DEFAULT_LIMIT);
    return records.map(toDto);
  }
}
