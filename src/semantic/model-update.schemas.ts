import { z } from 'zod';
import { Invalid, isText, isUid, optionalParam, optionalUid, text, uid, type Check } from '../common/request-params.js';

/** Request parameters of the model updates (spec §3), parsed once at the edge with parseParams. */

/** Longest name a model update may set (the Archivist's limit). */
const MAX_NAME_CHARS = 255;
/** Longest definition text (that of the `text` builder). */
const MAX_TEXT_CHARS = 10_000;

export const updateDefinitionSchema = z.object({
  uid: uid('uid'),
  partial_definition: text('partial_definition'),
  full_definition: text('full_definition'),
  fact_uid: optionalUid('fact_uid'),
});
export type UpdateDefinitionRequest = z.output<typeof updateDefinitionSchema>;

export const updateNameSchema = z.object({
  uid: uid('uid'),
  name: text('name', { min: 1, max: MAX_NAME_CHARS }),
  fact_uid: optionalUid('fact_uid'),
});
export type UpdateNameRequest = z.output<typeof updateNameSchema>;

export const updateCollectionSchema = z.object({
  fact_uid: uid('fact_uid'),
  collection_uid: uid('collection_uid'),
  collection_name: text('collection_name', { min: 1, max: MAX_NAME_CHARS }),
});
export type UpdateCollectionRequest = z.output<typeof updateCollectionSchema>;

/** The changes `clarity.model/update` may carry in its `data`. */
export interface ModelUpdateData {
  partial_definition?: string;
  full_definition?: string;
  collection_uid?: number;
  collection_name?: string;
}

const DATA_FIELDS = ['partial_definition', 'full_definition', 'collection_uid', 'collection_name'] as const;

/** Checks of the `data` fields, reported as `Parameter 'data.<field>' …`. */
const DATA_CHECKS: Record<(typeof DATA_FIELDS)[number], Check<string | number>> = {
  partial_definition: isText({ max: MAX_TEXT_CHARS }),
  full_definition: isText({ max: MAX_TEXT_CHARS }),
  collection_uid: isUid,
  collection_name: isText({ min: 1, max: MAX_NAME_CHARS }),
};

/**
 * `data` of `clarity.model/update`: an object whose known fields are checked
 * (`null` or absent = not given; a bad one is "Parameter 'data.<field>' …");
 * other fields are ignored, as the platform's previous service ignored them. A
 * collection is one `{uid, name}`: its two fields are given together or not at all.
 */
const modelUpdateData = z
  .unknown()
  .transform((value, ctx): ModelUpdateData | undefined => {
    if (value === undefined || value === null) return undefined;
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (typeof value !== 'object' || Array.isArray(value)) return fail("Parameter 'data' must be an object");
    const record = value as Record<string, unknown>;
    const out: Record<string, string | number> = {};
    for (const field of DATA_FIELDS) {
      const given = record[field];
      if (given === undefined || given === null) continue;
      const parsed = DATA_CHECKS[field](given);
      if (parsed instanceof Invalid) return fail(`Parameter 'data.${field}' ${parsed.expected}`);
      out[field] = parsed;
    }
    if ((out.collection_uid === undefined) !== (out.collection_name === undefined)) {
      return fail("Parameters 'data.collection_uid' and 'data.collection_name' must be given together");
    }
    return out as ModelUpdateData;
  })
  .optional();

/**
 * `clarity.model/update` (spec §3): `{modelId, name?, data?}`, modelId the entity
 * uid (a number or a string of digits). At least one change must be given.
 */
export const modelUpdateSchema = z
  .object({
    modelId: uid('modelId'),
    name: optionalParam('name', isText({ min: 1, max: MAX_NAME_CHARS }), { nullIsAbsent: true }),
    data: modelUpdateData,
  })
  .superRefine((p, ctx) => {
    if (p.name === undefined && (p.data === undefined || Object.keys(p.data).length === 0)) {
      ctx.addIssue({
        code: 'custom',
        message:
          "Nothing to update: give 'name' or at least one of data.partial_definition, data.full_definition, data.collection_uid with data.collection_name",
      });
    }
  });
export type ModelUpdateRequest = z.output<typeof modelUpdateSchema>;
