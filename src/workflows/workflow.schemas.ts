import { z } from 'zod';
import {
  describedCheck,
  Invalid,
  isText,
  optionalBoolean,
  optionalParam,
  optionalUid,
  requiredParam,
} from '../common/request-params.js';
import { isSessionId, isStorableText } from '../sessions/session.schemas.js';

/** Request parameters of the `clarity.workflow/*` events (spec §9), parsed once at the edge. */

const UNSTORABLE = new Invalid('contains characters that cannot be stored');

/** Text of `min..max` characters that PostgreSQL's jsonb and the Archivist store unchanged. */
function storableText(limits: { min?: number; max: number }) {
  const length = isText(limits);
  return describedCheck(length.jsonSchema ?? {}, (value) => {
    const checked = length(value);
    if (checked instanceof Invalid) return checked;
    return isStorableText(checked) ? checked : UNSTORABLE;
  });
}

const sessionId = () => requiredParam('sessionId', isSessionId);
const workflowId = () => requiredParam('workflowId', storableText({ min: 1, max: 100 }));

export const workflowListSchema = z.object({});

/** `{sessionId}`: state, next, back, pop, validate, finalize, abandon. */
export const workflowSessionSchema = z.object({ sessionId: sessionId() });

export const workflowStartSchema = z.object({ sessionId: sessionId(), workflowId: workflowId() });

/**
 * `{sessionId, field, uid?, name?, draft?}`: a graph field takes `uid`, a text field
 * `name`; neither clears the field; `draft: true` fills a draftable field (the
 * definition of a new kind) with an AI draft (spec §10) instead.
 */
export const workflowSetSchema = z
  .object({
    sessionId: sessionId(),
    field: requiredParam('field', storableText({ min: 1, max: 255 })),
    uid: optionalUid('uid'),
    name: optionalParam('name', storableText({ max: 10_000 }), { nullIsAbsent: true }),
    draft: optionalBoolean('draft'),
  })
  .superRefine((value, ctx) => {
    if (value.draft === true && (value.uid !== undefined || value.name !== undefined)) {
      ctx.addIssue({ code: 'custom', message: "Parameter 'draft' cannot be combined with 'uid' or 'name'" });
    }
  });

export const workflowBranchSchema = z.object({
  sessionId: sessionId(),
  field: requiredParam('field', storableText({ min: 1, max: 255 })),
  workflowId: workflowId(),
});

export type WorkflowSetRequest = z.output<typeof workflowSetSchema>;
