import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health-registry.js';
import { HealthService } from './health.service.js';
import { LifecycleState } from './lifecycle-state.js';

@Module({
  controllers: [HealthController],
  providers: [HealthRegistry, HealthService, LifecycleState],
  exports: [HealthRegistry, LifecycleState],
})
export class HealthModule {}
