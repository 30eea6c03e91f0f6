import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { currentContext } from '../logging/request-context.js';
import type { conjureDefinitionSchema } from './ai-request.schemas.js';
import { DEFINITION_CHUNK_EVENT, eventEnvelope, type DefinitionChunk } from './ai-events.js';
import type { DefinitionDraft, DefinitionDraftService } from './definition-draft.service.js';

export type ConjureParams = z.output<typeof conjureDefinitionSchema>;

/** Answer data over Socket.IO: the draft and the id its chunks carried. */
export type SocketDraft = DefinitionDraft & { requestId: string };

/**
 * `clarity.ai/conjure-definition` for one socket: the socket's disconnect aborts the
 * provider call; with `stream: true` each piece of text goes to the socket as a
 * `clarity.ai/definition-chunk` event `{requestId, text}` (event envelope of spec §3)
 * before the final answer.
 */
export async function draftForSocket(
  drafts: DefinitionDraftService,
  socket: Socket,
  userId: string,
  params: ConjureParams,
): Promise<SocketDraft> {
  const requestId = params.requestId ?? currentContext()?.correlationId ?? randomUUID();
  const cancel = new AbortController();
  const onDisconnect = (): void => cancel.abort();
  if (socket.disconnected) cancel.abort();
  socket.once('disconnect', onDisconnect);
  try {
    const onText = params.stream
      ? (text: string): void => {
          if (socket.connected) {
            socket.emit(
              DEFINITION_CHUNK_EVENT,
              eventEnvelope<DefinitionChunk>(DEFINITION_CHUNK_EVENT, { requestId, text }),
            );
          }
        }
      : undefined;
    const draft = await drafts.conjure(
      userId,
      { supertype_uid: params.supertype_uid, name: params.name },
      { signal: cancel.signal, onText },
    );
    return { ...draft, requestId };
  } finally {
    socket.off('disconnect', onDisconnect);
  }
}
