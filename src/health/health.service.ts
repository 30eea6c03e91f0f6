import { Inject, Injectable } from '@nestjs/common';
import { withTimeout } from '../common/with-timeout.js';
import { HealthRegistry, type DependencyName, type DependencyStatus } from './health-registry.js';
import { LifecycleState } from './lifecycle-state.js';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

const PROBE_TIMEOUT_MS = 2000;
const DEPENDENCIES: DependencyName[] = ['database', 'archivist', 'cache', 'ai'];

export interface HealthReport {
  status: 'healthy' | 'degraded';
  service: 'clarity';
  version: string;
  timestamp: string;
  uptime: number;
  dependencies: Record<DependencyName, DependencyStatus>;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: { migrations: boolean; archivist: boolean; draining: boolean };
}

@Injectable()
export class HealthService {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly lifecycle: LifecycleState,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  async health(): Promise<HealthReport> {
    const statuses = await Promise.all(DEPENDENCIES.map((name) => this.check(name)));
    const dependencies = Object.fromEntries(DEPENDENCIES.map((name, i) => [name, statuses[i]])) as Record<
      DependencyName,
      DependencyStatus
    >;
    const degraded = statuses.some((s) => s === 'unavailable');
    return {
      status: degraded ? 'degraded' : 'healthy',
      service: 'clarity',
      version: this.config.version,
      timestamp: new Date().toISOString(),
      uptime: process.uptime(),
      dependencies,
    };
  }

  async readiness(): Promise<ReadinessReport> {
    if (!this.lifecycle.archivistAnswered && !this.lifecycle.draining) {
      const status = await this.check('archivist');
      if (status === 'available' || status === 'disabled') this.lifecycle.archivistAnswered = true;
    }
    const checks = {
      migrations: this.lifecycle.migrationsDone,
      archivist: this.lifecycle.archivistAnswered,
      draining: this.lifecycle.draining,
    };
    const ready = checks.migrations && checks.archivist && !checks.draining;
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  private async check(name: DependencyName): Promise<DependencyStatus> {
    const probe = this.registry.probe(name);
    if (!probe) return 'disabled';
    return withTimeout(probe(), PROBE_TIMEOUT_MS).catch((): DependencyStatus => 'unavailable');
  }
}
