import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { LOGGER, type Logger } from '../logging/logging.module.js';

/**
 * Most bytes a client may leave unread (queued by Clarity for that socket)
 * before it is treated as a slow consumer and disconnected: far above what a
 * reading client ever accumulates, far below what would hurt the process.
 */
export const MAX_OUTGOING_BACKLOG_BYTES = 16 * 1024 * 1024;

interface EngineInternals {
  writeBuffer?: Array<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close?: (discard?: boolean) => void;
}

/**
 * Bytes queued for `socket` that its connection has not taken yet: engine.io's
 * write buffer (packets waiting while the transport is not writable) plus the
 * WebSocket's own buffered amount. A client that stops reading makes both grow
 * with every answer; socket.io itself puts no bound on them.
 */
export function outgoingBacklogBytes(socket: Socket): number {
  const conn = socket.conn as unknown as EngineInternals;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Drops a connection at once, with what is queued for it: a graceful close
 * would wait for the queue to drain, which a client that does not read never
 * lets happen.
 */
export function dropConnection(socket: Socket): void {
  const conn = socket.conn as unknown as EngineInternals;
  const ws = conn.transport?.socket;
  if (typeof ws?.terminate === 'function') ws.terminate();
  else conn.close?.(true);
}

/**
 * The back-pressure stage: a client that keeps asking but does not read its
 * answers would grow this process without bound, so beyond
 * MAX_OUTGOING_BACKLOG_BYTES unread it
 * is disconnected (and its request dropped) instead of being answered.
 */
@Injectable()
export class OutgoingBacklogGuard {
  constructor(@Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>) {}

  /** True when `socket` may be answered; false when it was dropped as a slow consumer. */
  admit(socket: Socket, userId: string): boolean {
    if (outgoingBacklogBytes(socket) <= MAX_OUTGOING_BACKLOG_BYTES) return true;
    this.logger.warn(`Disconnecting a slow consumer: more than ${MAX_OUTGOING_BACKLOG_BYTES} bytes of answers unread`, {
      context: 'Gateway',
      userId,
    });
    dropConnection(socket);
    return false;
  }
}
