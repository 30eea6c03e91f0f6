import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthService, type HealthReport } from './health.service.js';
import { HealthReportDto, ReadinessReportDto } from './health.dto.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness and dependency view: 200 while the process can serve, even when degraded. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness and dependency view (Kubernetes liveness probe)' })
  @ApiOkResponse({
    type: HealthReportDto,
    description: 'The process can serve; status is degraded when a dependency is unavailable',
  })
  async liveness(): Promise<HealthReport> {
    return this.health.health();
  }

  /** 503 until migrations ran and the Archivist answered, and while draining. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness (Kubernetes readiness probe)' })
  @ApiOkResponse({ type: ReadinessReportDto, description: 'Ready: migrations ran and the Archivist answered' })
  @ApiServiceUnavailableResponse({
    type: ReadinessReportDto,
    description: 'Not ready: before migrations ran or the Archivist answered, and while draining after SIGTERM',
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    const report = await this.health.readiness();
    res.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
