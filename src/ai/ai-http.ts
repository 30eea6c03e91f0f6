import {
  Catch,
  Controller,
  Get,
  Header,
  HttpException,
  Inject,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ClarityError, type ErrorCode } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { conjureDefinitionQuerySchema } from './ai-request.schemas.js';
import { BearerTokenGuard, type AuthenticatedRequest } from './bearer-token.guard.js';
import { DefinitionDraftService } from './definition-draft.service.js';

/** HTTP status of each error code on the compatible route. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  WRONG_NATURE: 422,
  WRONG_CATEGORY: 422,
  RATE_LIMITED: 429,
  ARCHIVIST_ERROR: 502,
  AI_ERROR: 502,
  ARCHIVIST_UNAVAILABLE: 503,
  AI_UNAVAILABLE: 503,
};

/** Every failure of the route as a status and one short line of text (no JSON, no internals). */
@Catch()
export class PlainTextErrors implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    let status = 500;
    let text = 'Internal error';
    if (error instanceof ClarityError) {
      status = STATUS[error.code] ?? 500;
      text = status === 500 ? 'Internal error' : error.message;
      if (error.code === 'RATE_LIMITED') res.setHeader('Retry-After', '60');
    } else if (error instanceof HttpException) {
      status = error.getStatus();
      text = status === 401 ? 'Unauthorized' : error.message;
    }
    if (status === 500) {
      this.logger.error(`conjureDefinition failed: ${error instanceof Error ? error.message : String(error)}`, {
        context: 'AI',
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    res.status(status).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.send(text);
  }
}

/**
 * The previous service's route, kept for its clients (spec §10):
 * `GET /artificialIntelligence/conjureDefinition?supertypeUID=&newKindName=` answers the
 * draft as plain text, behind a Bearer JWT. An `apiKey` query parameter is ignored
 * (never used as the key, never logged).
 * The client closing the connection cancels the provider call.
 */
@ApiTags('ai')
@ApiBearerAuth()
@Controller('artificialIntelligence')
@UseFilters(PlainTextErrors)
export class AiHttpController {
  constructor(private readonly drafts: DefinitionDraftService) {}

  @Get('conjureDefinition')
  @UseGuards(BearerTokenGuard)
  @ApiOperation({
    summary: 'Draft the definition of a new kind below a supertype (the previous service’s route)',
    description:
      'Plain-text draft from the configured OpenAI-compatible provider; nothing is written to the graph. ' +
      'An `apiKey` query parameter is ignored: the key lives in the server configuration only.',
  })
  @ApiQuery({ name: 'supertypeUID', description: 'uid of an existing kind', example: '730044' })
  @ApiQuery({ name: 'newKindName', description: 'name of the new kind', example: 'centrifugal pump' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The drafted definition', schema: { type: 'string' } })
  @ApiResponse({ status: 400, description: 'A missing or malformed parameter' })
  @ApiResponse({ status: 401, description: 'No Bearer token, or one that does not verify' })
  @ApiResponse({ status: 404, description: 'Unknown supertype' })
  @ApiResponse({ status: 422, description: 'The supertype is not a kind' })
  @ApiResponse({ status: 429, description: 'AI_RATE_LIMIT drafts per minute reached (Retry-After)' })
  @ApiResponse({ status: 502, description: 'The provider answered with an error' })
  @ApiResponse({ status: 503, description: 'No provider configured, or it cannot be reached in time' })
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async conjureDefinition(
    @Query() query: unknown,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const params = parseParams(conjureDefinitionQuerySchema, query);
    const cancel = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) cancel.abort();
    };
    res.once('close', onClose);
    try {
      const draft = await this.drafts.conjure(
        req.verifiedToken!.sub,
        { supertype_uid: params.supertypeUID, name: params.newKindName },
        { signal: cancel.signal },
      );
      return draft.definition;
    } finally {
      res.off('close', onClose);
    }
  }
}
