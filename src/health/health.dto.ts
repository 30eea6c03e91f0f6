import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { DependencyStatus } from './health-registry.js';
import type { HealthReport, ReadinessReport } from './health.service.js';

/**
 * OpenAPI descriptions of the /health answers (spec §4). Only their decorators are
 * read, once, when the document is built: the controllers still return the
 * service's plain objects.
 */

const DEPENDENCY_STATUSES: DependencyStatus[] = ['connected', 'available', 'unavailable', 'disabled'];

@ApiSchema({ description: 'Each dependency, probed with a short timeout' })
export class DependenciesDto implements Readonly<HealthReport['dependencies']> {
  @ApiProperty({ enum: DEPENDENCY_STATUSES, description: 'PostgreSQL: connected or unavailable' })
  database!: DependencyStatus;

  @ApiProperty({ enum: DEPENDENCY_STATUSES, description: 'The Archivist: available or unavailable' })
  archivist!: DependencyStatus;

  @ApiProperty({
    enum: DEPENDENCY_STATUSES,
    description: 'Redis: connected, unavailable, or disabled without REDIS_URL',
  })
  cache!: DependencyStatus;

  @ApiProperty({
    enum: DEPENDENCY_STATUSES,
    description:
      'The AI provider (spec §10): disabled without OPENAI_API_KEY, unavailable after a draft found it unreachable',
  })
  ai!: DependencyStatus;
}

export class HealthReportDto implements HealthReport {
  @ApiProperty({
    enum: ['healthy', 'degraded'],
    description: 'degraded when a dependency is unavailable (still 200: a dependency outage never fails liveness)',
  })
  status!: 'healthy' | 'degraded';

  @ApiProperty({ enum: ['clarity'] })
  service!: 'clarity';

  @ApiProperty({ example: '1.0.0', description: 'Version of the running service' })
  version!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  timestamp!: string;

  @ApiProperty({ description: 'Seconds since the process started', example: 42.5 })
  uptime!: number;

  @ApiProperty({ type: DependenciesDto })
  dependencies!: DependenciesDto;
}

@ApiSchema({ description: 'Ready when migrations and archivist are true and draining is false' })
export class ReadinessChecksDto {
  @ApiProperty({ description: 'Database migrations ran' })
  migrations!: boolean;

  @ApiProperty({ description: 'The Archivist answered at least once' })
  archivist!: boolean;

  @ApiProperty({ description: 'The process is shutting down (SIGTERM)' })
  draining!: boolean;
}

export class ReadinessReportDto implements ReadinessReport {
  @ApiProperty({ enum: ['ready', 'not_ready'] })
  status!: 'ready' | 'not_ready';

  @ApiProperty({ type: ReadinessChecksDto })
  checks!: ReadinessChecksDto;
}
