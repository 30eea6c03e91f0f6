import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ClarityError } from '../common/clarity-error.js';
import type { AiOutcome } from '../metrics/metrics.service.js';

/** One message of a chat completion. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface ChatOptions {
  /** Aborted when the client goes away: the provider request is cancelled. */
  signal?: AbortSignal;
  /** Streaming: called with each piece of text as the provider sends it. */
  onText?: (text: string) => void;
}

export interface ChatResult {
  text: string;
  /** The model that answered (the provider's name for it; the configured one when it says none). */
  model: string;
  /** Token counts when the provider reports them. */
  usage?: { prompt: number; completion: number };
}

export interface ChatProviderSettings {
  apiKey: string;
  baseUrl: string;
  model: string;
  /** The whole call (connection, answer, every chunk of a stream) must end within this. */
  timeoutMs: number;
}

/** Longest draft accepted (characters); a provider that goes on beyond it is cut off. */
export const MAX_DRAFT_CHARS = 4000;

/**
 * A failed AI call, already in the client's terms: AI_UNAVAILABLE (timeout, connection
 * refused, cancelled) or AI_ERROR (the provider answered with an error). The message is
 * short and never contains the provider's answer body (which may quote the key).
 */
export class AiCallError extends ClarityError {
  constructor(
    code: 'AI_UNAVAILABLE' | 'AI_ERROR',
    message: string,
    readonly outcome: Extract<AiOutcome, 'timeout' | 'unavailable' | 'provider_error' | 'cancelled'>,
    /** For the log: HTTP status or error class, never the provider's text. */
    readonly detail: string,
  ) {
    super(code, message);
  }
}

/**
 * Chat completions through the official `openai` package, against any OpenAI-compatible
 * server (`baseUrl`). The key is handed to the client object only; the package's own
 * logging is off and its retries are off (one bounded attempt per draft), and the package's
 * environment defaults (OPENAI_BASE_URL, OPENAI_ORG_ID, …) are overridden by explicit values
 * (only OPENAI_CUSTOM_HEADERS, which it always reads, is left to it).
 */
export class OpenAiChatProvider {
  private readonly client: OpenAI;

  constructor(private readonly settings: ChatProviderSettings) {
    this.client = new OpenAI({
      apiKey: settings.apiKey,
      baseURL: settings.baseUrl,
      // given explicitly, so the package reads none of its OPENAI_* environment defaults
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      timeout: settings.timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  get model(): string {
    return this.settings.model;
  }

  async complete(messages: ChatMessage[], { signal, onText }: ChatOptions = {}): Promise<ChatResult> {
    // the whole call's deadline (the package's own timeout only covers the wait for headers)
    const timer = new AbortController();
    const deadlineTimer = setTimeout(() => timer.abort(), this.settings.timeoutMs);
    const deadline = timer.signal;
    // a second controller, so that the provider call can also be cut off here (draft too long)
    const own = new AbortController();
    const combined = AbortSignal.any([deadline, own.signal, ...(signal ? [signal] : [])]);
    let result: ChatResult;
    try {
      result = onText ? await this.stream(messages, combined, own, onText) : await this.once(messages, combined);
    } catch (error) {
      throw this.failure(error, signal, deadline);
    } finally {
      clearTimeout(deadlineTimer);
    }
    // an aborted stream ends quietly (the package's choice): find out why
    if (signal?.aborted || deadline.aborted) throw this.failure(undefined, signal, deadline);
    if (result.text.length > MAX_DRAFT_CHARS) {
      throw new AiCallError('AI_ERROR', 'AI provider answer too long', 'provider_error', 'too long');
    }
    if (result.text.trim() === '') {
      throw new AiCallError('AI_ERROR', 'AI provider returned an empty draft', 'provider_error', 'empty');
    }
    return result;
  }

  private async once(messages: ChatMessage[], signal: AbortSignal): Promise<ChatResult> {
    const completion = await this.client.chat.completions.create({ model: this.settings.model, messages }, { signal });
    const usage = completion.usage
      ? { prompt: completion.usage.prompt_tokens ?? 0, completion: completion.usage.completion_tokens ?? 0 }
      : undefined;
    return {
      text: completion.choices?.[0]?.message?.content ?? '',
      model: completion.model || this.settings.model,
      ...(usage ? { usage } : {}),
    };
  }

  private async stream(
    messages: ChatMessage[],
    signal: AbortSignal,
    own: AbortController,
    onText: (text: string) => void,
  ): Promise<ChatResult> {
    const stream = await this.client.chat.completions.create(
      { model: this.settings.model, messages, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    let text = '';
    let model = '';
    let usage: ChatResult['usage'];
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) {
        usage = { prompt: chunk.usage.prompt_tokens ?? 0, completion: chunk.usage.completion_tokens ?? 0 };
      }
      const piece = chunk.choices?.[0]?.delta?.content;
      if (!piece) continue;
      text += piece;
      if (text.length > MAX_DRAFT_CHARS) {
        own.abort();
        break;
      }
      onText(piece);
    }
    return { text, model: model || this.settings.model, ...(usage ? { usage } : {}) };
  }

  /** Any failure of a call, in the client's terms (see AiCallError). */
  private failure(error: unknown, signal: AbortSignal | undefined, deadline: AbortSignal): AiCallError {
    if (error instanceof AiCallError) return error;
    if (signal?.aborted) {
      return new AiCallError('AI_UNAVAILABLE', 'AI request cancelled', 'cancelled', 'client gone');
    }
    if (deadline.aborted || error instanceof APIConnectionTimeoutError) {
      return new AiCallError(
        'AI_UNAVAILABLE',
        `AI provider did not answer within ${this.settings.timeoutMs} ms`,
        'timeout',
        'timeout',
      );
    }
    if (error instanceof APIConnectionError) {
      return new AiCallError('AI_UNAVAILABLE', 'AI provider cannot be reached', 'unavailable', 'connection failed');
    }
    if (error instanceof APIError) {
      const status = error.status;
      if (status === undefined) {
        return new AiCallError('AI_ERROR', 'AI provider reported an error', 'provider_error', 'error event');
      }
      const message =
        status === 401 || status === 403
          ? `AI provider refused the request (HTTP ${status}): check OPENAI_API_KEY`
          : status === 429
            ? 'AI provider is rate limiting or out of quota (HTTP 429)'
            : `AI provider error (HTTP ${status})`;
      return new AiCallError('AI_ERROR', message, 'provider_error', `HTTP ${status}`);
    }
    const name = error instanceof Error ? error.name : typeof error;
    return new AiCallError('AI_ERROR', 'AI provider sent an answer Clarity cannot read', 'provider_error', name);
  }
}
