import type { LoggerService } from '@nestjs/common';
import type winston from 'winston';

/** Routes Nest's own log calls through winston. */
export class NestWinstonLogger implements LoggerService {
  constructor(private readonly logger: winston.Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    if (context === undefined) {
      this.write('error', message, stackOrContext);
    } else {
      this.logger.error(String(message), { context, stack: stackOrContext });
    }
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('verbose', message, context);
  }

  private write(level: string, message: unknown, context?: string): void {
    if (message instanceof Error) {
      this.logger.log(level, message.message, { context, stack: message.stack });
    } else if (typeof message === 'object' && message !== null) {
      this.logger.log(level, JSON.stringify(message), { context });
    } else {
      this.logger.log(level, String(message), { context });
    }
  }
}
