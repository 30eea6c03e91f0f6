import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ClarityError } from '../common/clarity-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SemanticModelService } from '../semantic/semantic-model.service.js';
import { ENTITY_ROOM_PREFIX } from './event-routes.js';

export interface SubscriptionAnswer {
  uid: number;
  subscribed: boolean;
}

/**
 * `clarity.model/subscribe` / `unsubscribe` (spec §3): a subscription is the
 * socket's membership of the entity's room (`entity:<uid>`), which the Socket.IO
 * adapter (Redis with several replicas) delivers `clarity.model/updated` to.
 *
 * Quota: at most WS_MAX_SUBSCRIPTIONS per socket, and only of entities that exist
 * (NOT_FOUND otherwise, checked with one cached Archivist read), so a socket
 * cannot grow the rooms without bound. Subscribing twice to the same uid is one
 * subscription; unsubscribing frees it; a closed socket leaves all its rooms.
 */
@Injectable()
export class SubscriptionService {
  /** The uids each socket subscribed to (the socket's own count, also across concurrent requests). */
  private readonly bySocket = new WeakMap<Socket, Set<number>>();
  private readonly max: number;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    private readonly models: SemanticModelService,
    private readonly metrics: MetricsService,
  ) {
    this.max = config.quotas.subscriptionsPerSocket;
  }

  async subscribe(socket: Socket, uid: number): Promise<SubscriptionAnswer> {
    const uids = this.uidsOf(socket);
    if (!uids.has(uid)) {
      this.checkRoom(uids);
      if (!(await this.models.exists(uid))) throw ClarityError.notFound(uid);
      if (!uids.has(uid)) {
        this.checkRoom(uids); // concurrent subscribes of this socket may have filled it meanwhile
        uids.add(uid);
      }
    }
    await socket.join(`${ENTITY_ROOM_PREFIX}${uid}`);
    return { uid, subscribed: true };
  }

  async unsubscribe(socket: Socket, uid: number): Promise<SubscriptionAnswer> {
    this.bySocket.get(socket)?.delete(uid);
    await socket.leave(`${ENTITY_ROOM_PREFIX}${uid}`);
    return { uid, subscribed: false };
  }

  /** How many subscriptions the socket holds. */
  count(socket: Socket): number {
    return this.bySocket.get(socket)?.size ?? 0;
  }

  private uidsOf(socket: Socket): Set<number> {
    let uids = this.bySocket.get(socket);
    if (!uids) {
      uids = new Set();
      this.bySocket.set(socket, uids);
    }
    return uids;
  }

  private checkRoom(uids: Set<number>): void {
    if (uids.size < this.max) return;
    this.metrics.quotaRejected('subscriptions_per_socket');
    throw ClarityError.quotaExceeded(`${this.max} subscriptions per socket`, 'WS_MAX_SUBSCRIPTIONS');
  }
}
