import { z } from 'zod';
import { uid } from '../common/request-params.js';

/** `{uid}` of `clarity.model/subscribe` and `clarity.model/unsubscribe` (spec §3), parsed once at the edge. */
export const subscriptionRequestSchema = z.object({ uid: uid('uid') });
