import { z } from 'zod';
import { Invalid, optionalBoolean, optionalParam, requiredParam, uid, type Check } from '../common/request-params.js';

/** Request parameters of the AI drafts (spec §10), parsed once at the edge with parseParams. */

/** Longest name of a new kind. */
export const MAX_KIND_NAME = 200;

/** A name: 1..200 characters, not blank (surrounding blanks dropped). */
function isKindName(max: number): Check<string> {
  const wrong = new Invalid(`must be a non-blank string of at most ${max} characters`);
  return (value) => {
    if (typeof value !== 'string') return wrong;
    const name = value.trim();
    return name === '' || [...name].length > max ? wrong : name;
  };
}

const REQUEST_ID = /^[\w.:@/-]{1,128}$/;
const isRequestId: Check<string> = (value) =>
  typeof value === 'string' && REQUEST_ID.test(value)
    ? value
    : new Invalid('must be 1..128 letters, digits or . _ : @ / -');

/**
 * `clarity.ai/conjure-definition {supertype_uid, name, stream?, requestId?}`. `requestId`
 * (optional) names the `clarity.ai/definition-chunk` events of a streamed draft; by default
 * they carry the request's correlation id (the wrapper's `id`, or one made up).
 */
export const conjureDefinitionSchema = z.object({
  supertype_uid: uid('supertype_uid'),
  name: requiredParam('name', isKindName(MAX_KIND_NAME)),
  stream: optionalBoolean('stream'),
  requestId: optionalParam('requestId', isRequestId, { nullIsAbsent: true }),
});

/**
 * The previous service's query `?supertypeUID=&newKindName=` (GET
 * /artificialIntelligence/conjureDefinition). Any other parameter — `apiKey` above all —
 * is ignored: the key comes from the server's configuration only.
 */
export const conjureDefinitionQuerySchema = z.object({
  supertypeUID: uid('supertypeUID'),
  newKindName: requiredParam('newKindName', isKindName(MAX_KIND_NAME)),
});
