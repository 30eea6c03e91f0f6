import { Injectable } from '@nestjs/common';
import { ModelChangeRepository, type ModelChangeRecord } from './model-change.repository.js';
import { changeRow, checkChangeRecord, type RecordChangeInput } from './change-record.js';

/** Entries `history()` returns when no limit is given. */
export const HISTORY_DEFAULT_LIMIT = 50;

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
    const change = checkChangeRecord(input);
    const record = await this.changes.insert(changeRow(change));
    return toDto(record);
  }

  /**
   * The entity's entries, newest first. The arguments are trusted: the gateway
   * validates `clarity.model/history` (uid, limit 1..500) at the edge.
   */
  async history(entityUid: number, limit: number = HISTORY_DEFAULT_LIMIT): Promise<ModelChangeDto[]> {
    const records = await this.changes.listByEntity(entityUid, limit);
    return records.map(toDto);
  }
}
