import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type winston from 'winston';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { CorrelationIdMiddleware } from './logging/correlation-id.middleware.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { HealthModule } from './health/health.module.js';
import { DatabaseModule } from './database/database.module.js';
import { RedisModule } from './redis/redis.module.js';
import { ArchivistModule } from './archivist/archivist.module.js';
import { AuthModule } from './auth/auth.module.js';
import { SemanticModule } from './semantic/semantic.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { DebugModule } from './debug/debug.module.js';
import { AiModule } from './ai/ai.module.js';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig, logger: winston.Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        MetricsModule,
        HealthModule,
        DatabaseModule,
        RedisModule,
        ArchivistModule,
        AuthModule,
        SessionsModule,
        SemanticModule,
        GatewayModule,
        DebugModule,
        AiModule,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CorrelationIdMiddleware).forRoutes('*path');
  }
}
