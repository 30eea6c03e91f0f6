import type { SessionRecord } from './session.repository.js';
import type { SessionState } from './session.schemas.js';

/**
 * A session as clients receive it. camelCase like the rest of the session API;
 * timestamps are ISO-8601 UTC strings (millisecond precision).
 */
export interface SessionDto {
  id: string;
  name: string;
  state: SessionState;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A list item: a session without its (possibly large) state unless asked for. */
export type SessionSummaryDto = Omit<SessionDto, 'state'> & { state?: SessionState };

export interface SessionListDto {
  items: SessionSummaryDto[];
  /** How many sessions the caller has in all. */
  total: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export function toSessionDto(record: SessionRecord): SessionDto {
  return {
    id: record.id,
    name: record.name,
    state: record.state ?? {},
    version: record.version,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

export function toSessionSummaryDto(record: SessionRecord): SessionSummaryDto {
  const dto: SessionSummaryDto = {
    id: record.id,
    name: record.name,
    version: record.version,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
  if (record.state !== undefined) dto.state = record.state;
  return dto;
}
