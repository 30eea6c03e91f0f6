import { z } from 'zod';
import { optionalInt, uid } from '../common/request-params.js';

/** Request parameters of `clarity.model/history` (spec §3), parsed once at the edge with parseParams. */

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 500;

/** `{uid, limit?}`: limit 1..500 (default HISTORY_DEFAULT_LIMIT, applied by the change log). */
export const historyRequestSchema = z.object({ uid: uid('uid'), limit: optionalInt('limit', 1, HISTORY_MAX_LIMIT) });
export type HistoryRequest = z.output<typeof historyRequestSchema>;
