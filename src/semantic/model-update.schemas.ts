import { z } from 'zod';
import { optionalUid, text, uid } from '../common/request-params.js';

/** Request parameters of the model updates (spec §3), parsed once at the edge with parseParams. */

/** Longest name a model update may set (the Archivist's limit). */
const MAX_NAME_CHARS = 255;

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
