import { Global, Module, type DynamicModule } from '@nestjs/common';
import type winston from 'winston';

/** Injection token of the winston logger every service logs through. */
export const LOGGER = Symbol('CLARITY_LOGGER');
export type Logger = winston.Logger;

@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: winston.Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: LOGGER, useValue: logger }],
      exports: [LOGGER],
    };
  }
}
