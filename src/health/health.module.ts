import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health-registry.js';
import { HealthService } from './health.service.js';
import { LifecycleState } from './lifecycle-state.js';
import { SystemStatusService } from './system-status.service.js';

@Module({
  controllers: [HealthController],
  providers: [HealthRegistry, HealthService, LifecycleState, SystemStatusService],
  exports: [HealthRegistry, LifecycleState, SystemStatusService],
})
export class HealthModule {}
