import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ClarityError } from '../common/clarity-error.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { MetricsService, type AiOutcome } from '../metrics/metrics.service.js';
import { HealthRegistry, type DependencyStatus } from '../health/health-registry.js';
import { RedisService } from '../redis/redis.service.js';
import { SemanticModelService } from '../semantic/semantic-model.service.js';
import { AiRateLimiter } from './ai-rate-limiter.js';
import { AiCallError, OpenAiChatProvider, type ChatOptions } from './chat-provider.js';
import { buildDefinitionPrompt, cleanDraft, specializationChain } from './definition-prompt.js';

/** Answer data of `clarity.ai/conjure-definition` (spec §10). */
export interface DefinitionDraft {
  definition: string;
  model: string;
  supertype_uid: number;
  name: string;
}

export interface DraftRequest {
  supertype_uid: number;
  name: string;
}

/** How long a failed connection to the provider shows as `ai: unavailable` on /health. */
export const UNREACHABLE_MEMORY_MS = 60_000;

const NOT_CONFIGURED = 'AI drafting is not configured on this server (no OPENAI_API_KEY)';

/**
 * Drafts definitions of new kinds (spec §10), transport-free: the socket route and the
 * HTTP route both call {@link conjure}. In order: no key → AI_UNAVAILABLE; the supertype's
 * chain from the semantic models (NOT_FOUND / WRONG_NATURE before any provider call); the
 * per-user rate limit (RATE_LIMITED); then one provider call bounded by AI_TIMEOUT_MS.
 *
 * Health: without a key `ai: disabled`. With one, `available` — configured, and no
 * provider call of the last minute found it unreachable — or `unavailable` when the latest
 * call within {@link UNREACHABLE_MEMORY_MS} timed out or could not connect (and none has
 * succeeded since). /health never calls the provider itself: a probe would spend tokens
 * (and money) every few seconds.
 */
@Injectable()
export class DefinitionDraftService {
  private readonly provider: OpenAiChatProvider | undefined;
  private readonly limiter: AiRateLimiter;
  private lastUnreachableAt = 0;
  private lastSuccessAt = 0;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly models: SemanticModelService,
    private readonly metrics: MetricsService,
    redis: RedisService,
    health: HealthRegistry,
  ) {
    const { apiKey, baseUrl, model, timeoutMs, rateLimitPerMinute } = config.ai;
    this.limiter = new AiRateLimiter(rateLimitPerMinute, redis.client, logger);
    if (apiKey) {
      this.provider = new OpenAiChatProvider({ apiKey, baseUrl, model, timeoutMs });
      health.register('ai', () => Promise.resolve(this.healthStatus()));
      logger.info(`AI drafts enabled: model ${model} at ${originOf(baseUrl)}, ${rateLimitPerMinute}/min per user`, {
        context: 'AI',
      });
    } else {
      logger.info('AI drafts disabled (no OPENAI_API_KEY)', { context: 'AI' });
    }
  }

  get enabled(): boolean {
    return this.provider !== undefined;
  }

  async conjure(userId: string, request: DraftRequest, options: ChatOptions = {}): Promise<DefinitionDraft> {
    const provider = this.provider;
    if (!provider) {
      this.count('disabled');
      throw new ClarityError('AI_UNAVAILABLE', NOT_CONFIGURED);
    }
    let chain;
    try {
      chain = await specializationChain(request.supertype_uid, (uid) => this.models.getModel(uid));
    } catch (error) {
      const invalid = error instanceof ClarityError && (error.code === 'NOT_FOUND' || error.code === 'WRONG_NATURE');
      this.count(invalid ? 'invalid' : 'failed');
      throw error;
    }
    if (options.signal?.aborted) {
      this.count('cancelled');
      throw new AiCallError('AI_UNAVAILABLE', 'AI request cancelled', 'cancelled', 'client gone');
    }
    if (!(await this.limiter.tryTake(userId))) {
      this.count('rate_limited');
      throw new ClarityError('RATE_LIMITED', `Too many AI drafts: at most ${this.limiter.limit} per minute per user`);
    }
    const prompt = buildDefinitionPrompt(chain, request.name);
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await provider.complete(
        [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        options,
      );
      const definition = cleanDraft(result.text, prompt.openLine);
      if (definition === '') {
        throw new AiCallError('AI_ERROR', 'AI provider returned an empty draft', 'provider_error', 'empty');
      }
      const elapsed = seconds();
      this.metrics.aiRequestDuration.observe(elapsed);
      this.count('success');
      this.lastSuccessAt = Date.now();
      if (result.usage) {
        this.metrics.aiTokensTotal.inc({ kind: 'prompt' }, result.usage.prompt);
        this.metrics.aiTokensTotal.inc({ kind: 'completion' }, result.usage.completion);
      }
      this.logger.info(`AI draft for a subtype of ${request.supertype_uid} in ${Math.round(elapsed * 1000)} ms`, {
        context: 'AI',
        model: result.model,
        lines: prompt.lines.length,
        ...(result.usage ? { tokens: result.usage.prompt + result.usage.completion } : {}),
      });
      return { definition, model: result.model, supertype_uid: request.supertype_uid, name: request.name };
    } catch (error) {
      if (!(error instanceof AiCallError)) {
        this.count('failed');
        throw error;
      }
      this.metrics.aiRequestDuration.observe(seconds());
      this.count(error.outcome);
      if (error.outcome === 'timeout' || error.outcome === 'unavailable') this.lastUnreachableAt = Date.now();
      const level = error.outcome === 'cancelled' ? 'info' : 'warn';
      // the detail is a status or an error class: never the provider's text, never the key
      this.logger.log(level, `AI draft failed: ${error.message} (${error.detail})`, {
        context: 'AI',
        supertypeUid: request.supertype_uid,
      });
      throw error;
    }
  }

  healthStatus(now = Date.now()): DependencyStatus {
    if (!this.provider) return 'disabled';
    const recentFailure =
      this.lastUnreachableAt > this.lastSuccessAt && now - this.lastUnreachableAt < UNREACHABLE_MEMORY_MS;
    return recentFailure ? 'unavailable' : 'available';
  }

  private count(outcome: AiOutcome): void {
    this.metrics.aiRequestsTotal.inc({ outcome });
  }
}

/** scheme://host[:port] of the base URL, for the start-up line (no path, no credentials). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
}
