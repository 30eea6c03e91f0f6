import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { ClarityError } from '../common/clarity-error.js';
import { errorEnvelope, type ResponseEnvelope } from './envelope.js';

/**
 * The one place where a failed request becomes an error envelope (spec §3): a
 * ClarityError answers its own code and message; anything else is a bug or an
 * unexpected failure, logged with its stack and answered INTERNAL with only the
 * correlation id, so no internals reach the client.
 *
 * A plain class rather than a Nest exception filter: the gateway routes every
 * event through one `socket.onAny` handler, and Nest applies filters only to
 * `@SubscribeMessage` handlers it invokes itself.
 */
@Injectable()
export class ErrorMapper {
  constructor(@Inject(LOGGER) private readonly logger: Pick<Logger, 'error'>) {}

  /**
   * @param operation the event, for the log line
   * @param logCorrelationId the request's correlation id (the client's, or one made up for the log)
   * @param correlationId the client's correlation id, echoed in the envelope when it sent one
   */
  toEnvelope(error: unknown, operation: string, logCorrelationId: string, correlationId?: string): ResponseEnvelope {
    if (error instanceof ClarityError) {
      return errorEnvelope(error.code, error.message, correlationId);
    }
    this.logger.error(`Unexpected failure in ${operation}: ${error instanceof Error ? error.message : String(error)}`, {
      context: 'Gateway',
      correlationId: logCorrelationId,
      stack: error instanceof Error ? error.stack : undefined,
    });
    return errorEnvelope('INTERNAL', `Internal error (correlation id ${logCorrelationId})`, correlationId);
  }
}
