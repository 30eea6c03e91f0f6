import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthService, type HealthReport } from './health.service.js';

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness and dependency view: 200 while the process can serve, even when degraded. */
  @Get()
  @Header('Cache-Control', 'no-store')
  async liveness(): Promise<HealthReport> {
    return this.health.health();
  }

  /** 503 until migrations ran and the Archivist answered, and while draining. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    const report = await this.health.readiness();
    res.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
