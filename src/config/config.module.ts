import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './app-config.js';

/** Injection token of the validated AppConfig. */
export const CONFIG = Symbol('CLARITY_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** The config is loaded and validated once in main.ts (or a test) and handed in here. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
  }
}
