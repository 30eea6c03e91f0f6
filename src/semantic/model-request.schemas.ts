import { z } from 'zod';
import {
  describedCheck,
  Invalid,
  isText,
  optionalBoolean,
  optionalInt,
  optionalParam,
  parseUid,
  requiredParam,
  uid,
  UID_JSON_SCHEMA,
  type Check,
} from '../common/request-params.js';
import { MAX_FACTS_LIMIT, MAX_PAGE_LIMIT } from './facts-paging.js';

/** Request parameters of the semantic model reads (spec §3), parsed once at the edge with parseParams. */

/** Most uids one `clarity.model/get-batch` may ask for. */
export const MAX_BATCH = 100;

/** `{uid, includeFacts?, factsLimit?}`: model/get, kind/get, individual/get, the category events. */
export const modelRequestSchema = z.object({
  uid: uid('uid'),
  includeFacts: optionalBoolean('includeFacts'),
  factsLimit: optionalInt('factsLimit', 1, MAX_FACTS_LIMIT),
});

/** `{uid, limit?, cursor?}`: facts/get-by-entity (the cursor is checked against the uid by the engine). */
export const factsPageRequestSchema = z.object({
  uid: uid('uid'),
  limit: optionalInt('limit', 1, MAX_PAGE_LIMIT),
  cursor: optionalParam('cursor', isText({ min: 1, max: 200 }), { nullIsAbsent: true }),
});

const BATCH_SIZE = new Invalid(`must be an array of 1..${MAX_BATCH} positive integers`);
const BATCH_ITEMS = new Invalid('must contain only positive integers');

const isUidList: Check<number[]> = (value) => {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_BATCH) return BATCH_SIZE;
  const uids: number[] = [];
  for (const item of value) {
    const parsed = parseUid(item);
    if (parsed === undefined) return BATCH_ITEMS;
    uids.push(parsed);
  }
  return uids;
};

const uidList = describedCheck<number[], Array<number | string>>(
  { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: UID_JSON_SCHEMA },
  isUidList,
);

/** `{uids, includeFacts?, factsLimit?}`: model/get-batch. */
export const batchRequestSchema = z.object({
  uids: requiredParam('uids', uidList),
  includeFacts: optionalBoolean('includeFacts'),
  factsLimit: optionalInt('factsLimit', 1, MAX_FACTS_LIMIT),
});
