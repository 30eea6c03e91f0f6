import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { HealthService, type HealthReport } from './health.service.js';

/** `clarity.system/status` and `clarity.system/heartbeat` take no parameters (any given are ignored). */
export const systemRequestSchema = z.object({});

/** `clarity.system/status` (spec §3): the /health view for socket clients, plus this process's open sockets. */
export interface SystemStatus {
  service: 'clarity';
  version: string;
  status: HealthReport['status'];
  uptime: number;
  /** Open Socket.IO connections of this process (the replica that answers). */
  connections: number;
  dependencies: HealthReport['dependencies'];
}

export interface Heartbeat {
  alive: true;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** The system events of the socket API, over the same probes as GET /health. */
@Injectable()
export class SystemStatusService {
  constructor(private readonly health: HealthService) {}

  async status(connections: number): Promise<SystemStatus> {
    const report = await this.health.health();
    return {
      service: report.service,
      version: report.version,
      status: report.status,
      uptime: report.uptime,
      connections,
      dependencies: report.dependencies,
    };
  }

  heartbeat(): Heartbeat {
    return { alive: true, timestamp: Date.now() };
  }
}
