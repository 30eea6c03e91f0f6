import { parseUid } from '../common/request-params.js';
import type { SessionDto } from './session.serializer.js';
import type { SessionState } from './session.schemas.js';

/** Most models one `clarity.environment/get` answers (those of the first uids of `state.uids`). */
export const ENVIRONMENT_MAX_MODELS = 100;

/** `clarity.environment/get` (spec §3): the session with the models of its `state.uids`. */
export type EnvironmentDto<M> = SessionDto & {
  /** One slot per entry of `state.uids` (the first 100), in order; null where there is no model. */
  models: Array<M | null>;
};

/**
 * The uids of an environment's models, one slot per entry of `state.uids` (the
 * first ENVIRONMENT_MAX_MODELS): a number or a string of digits is a uid; any
 * other entry gives `undefined` (its model slot answers null, so slots stay
 * aligned with `state.uids`). A state without a `uids` array has no models.
 */
export function environmentUids(state: SessionState): Array<number | undefined> {
  const uids = state.uids;
  if (!Array.isArray(uids)) return [];
  return uids.slice(0, ENVIRONMENT_MAX_MODELS).map((entry) => parseUid(entry));
}

/**
 * A modelling session restored in one round trip: the caller's session (its
 * `get` answers NOT_FOUND for another user's or an unknown id) plus the models
 * of its uids, read as one batch (an unknown uid gives null in its slot).
 */
export async function loadEnvironment<M>(
  session: SessionDto,
  batch: (uids: number[]) => Promise<Array<M | null>>,
): Promise<EnvironmentDto<M>> {
  const slots = environmentUids(session.state);
  const wanted = slots.filter((uid): uid is number => uid !== undefined);
  const found = wanted.length > 0 ? await batch(wanted) : [];
  let next = 0;
  const models = slots.map((uid) => (uid === undefined ? null : (found[next++] ?? null)));
  return { ...session, models };
}
