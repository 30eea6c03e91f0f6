import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import axios, { isAxiosError, type AxiosInstance, type Method } from 'axios';
import {
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { ClarityError } from '../common/clarity-error.js';
import type { CategoryName, EntityNature, Fact } from '../gellish/fact.js';
import { ANYTHING } from '../gellish/gellish-uids.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { FactPage, FactSource, PagedFactSource, StructuralFacts } from '../semantic/fact-source.js';
import { ArchivistCache, noteResponseSize, type CacheDependencyStatus } from './archivist-cache.js';
import { cacheBudget } from '../config/cache-budget.js';
import { ARCHIVIST_DEFAULTS, type ArchivistClientOptions } from './archivist-client-options.js';
import { ArchivistCallError, archivistUnavailable, toClarityError } from './archivist-errors.js';
import { silentLogger, type ArchivistLogger } from './archivist-logger.js';
import {
  TEMPORARY_UID_MAX,
  WireError,
  checkNewFact,
  parseSubmittedFacts,
  parseVerdicts,
  type FactVerdict,
  type NewFact,
  type SubmittedFacts,
  parseCategory,
  parseFactList,
  parseFactPage,
  parseJsonBody,
  parseNature,
  parseOptionalFact,
} from './archivist-wire.js';

export type Outcome = 'success' | 'not_found' | 'error' | 'timeout' | 'unavailable' | 'short_circuit';
/** Told, once per update (here or on another replica), the uids whose cached data changed. */
export type InvalidationListener = (uids: readonly number[]) => void;

type Params = Record<string, string | number | boolean>;

interface CallSpec<T> {
  method: Method;
  path: string;
  params?: Params;
  body?: unknown;
  /** Parses the raw body of a 2xx answer ('' for an empty one); throws WireError on garbage. */
  parse: (raw: string) => T;
  /** The "not found" value (404 or an empty answer). */
  notFound: T;
}

const SEARCH_DEP = 'search';

/**
 * Clarity's client of the Archivist HTTP API (spec §6), the production
 * FactSource. Every read goes: in-process LRU → (on a miss, one fetch shared
 * by concurrent identical reads) Redis (when configured) → retry with
 * exponential back-off and jitter (network errors, timeouts, 5xx) → circuit
 * breaker → one axios call with a deadline. Writes go through the breaker
 * only (re-sent solely when the connection was refused, i.e. the request was
 * never received) and invalidate the touched entities, once per write, in both
 * cache levels and on every replica.
 *
 * Results are frozen and shared with the cache: treat them as read-only.
 * Unknown uids give [] / null; failures throw ClarityError
 * ARCHIVIST_UNAVAILABLE (network, timeout, breaker open, 502/503/504) or
 * ARCHIVIST_ERROR (other 5xx, 4xx other than 404, garbage answers).
 */
export class ArchivistClient implements FactSource, PagedFactSource {
  private readonly http: AxiosInstance;
  private readonly agents: Array<HttpAgent | HttpsAgent>;
  private readonly cache: ArchivistCache;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly readPolicy: IPolicy;
  private readonly writePolicy: IPolicy;
  private readonly listeners = new Set<InvalidationListener>();
  private readonly clearListeners = new Set<() => void>();
  private readonly logger: ArchivistLogger;
  private readonly metrics?: MetricsService;
  private readonly timeoutMs: number;
  private readonly pingTimeoutMs: number;
  private closed = false;

  constructor(readonly options: ArchivistClientOptions) {
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics;
    this.timeoutMs = options.timeoutMs;
    this.pingTimeoutMs = options.pingTimeoutMs ?? ARCHIVIST_DEFAULTS.pingTimeoutMs;

    const httpAgent = new HttpAgent({ keepAlive: true });
    const httpsAgent = new HttpsAgent({ keepAlive: true });
    this.agents = [httpAgent, httpsAgent];
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      httpAgent,
      httpsAgent,
      maxRedirects: 0,
      proxy: false,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: { Accept: 'application/json' },
    });

    const transient = handleWhen((err) => err instanceof ArchivistCallError && err.transient);
    this.breaker = circuitBreaker(transient, {
      breaker: new ConsecutiveBreaker(
        options.breaker?.consecutiveFailures ?? ARCHIVIST_DEFAULTS.breakerConsecutiveFailures,
      ),
      halfOpenAfter: options.breaker?.halfOpenAfterMs ?? ARCHIVIST_DEFAULTS.breakerHalfOpenAfterMs,
    });
    const backoff = new ExponentialBackoff({
      initialDelay: options.retry?.initialDelayMs ?? ARCHIVIST_DEFAULTS.retryInitialDelayMs,
      maxDelay: options.retry?.maxDelayMs ?? ARCHIVIST_DEFAULTS.retryMaxDelayMs,
    });
    // Retry outside the breaker: each attempt is seen by the breaker, and an open
    // breaker's BrokenCircuitError is not retried (fail fast).
    const readRetry = retry(transient, { maxAttempts: Math.max(0, options.retryAttempts), backoff });
    const writeRetry = retry(
      handleWhen((err) => err instanceof ArchivistCallError && err.notSent),
      { maxAttempts: Math.max(0, options.retryAttempts), backoff },
    );
    this.readPolicy = wrap(readRetry, this.breaker);
    this.writePolicy = wrap(writeRetry, this.breaker);
    this.metrics?.archivistBreakerState.set(0);
    this.breaker.onStateChange((state) => {
      this.metrics?.archivistBreakerState.set(breakerGauge(state));
      if (state === CircuitState.Open) {
        this.logger.warn('Archivist circuit breaker opened: failing fast until the Archivist answers again', {
          context: 'ArchivistClient',
        });
      } else if (state === CircuitState.Closed) {
        this.logger.info('Archivist circuit breaker closed: the Archivist answers again', {
          context: 'ArchivistClient',
        });
      }
    });

    this.cache = new ArchivistCache({
      maxEntries: options.cache?.maxEntries ?? ARCHIVIST_DEFAULTS.cacheMaxEntries,
      maxBytes: options.cache?.maxBytes ?? cacheBudget().archivistBytes,
      ttlSeconds: options.cache?.ttlSeconds ?? ARCHIVIST_DEFAULTS.cacheTtlSeconds,
      redis: options.redis,
      metrics: options.metrics,
      logger: this.logger,
      onRemoteInvalidate: (deps) => this.emitInvalidation(deps),
    });
  }

  // ---- FactSource -------------------------------------------------------

  async allRelatedFacts(uid: number): Promise<Fact[]> {
    return this.readFacts('/fact/allRelatedFacts', { uid: checkUid(uid, 'uid'), depth: 1 }, uid);
  }

  /**
   * A page of allRelatedFacts ordered by fact_uid: the embedded Archivist's optional
   * `after`/`limit` parameters; an Archivist that ignores them answers every fact,
   * which is sorted and sliced here, so only the page is cached and returned.
   */
  async relatedFactsPage(uid: number, after: number, limit: number): Promise<FactPage> {
    const page = Math.max(1, Math.floor(limit));
    return this.read(
      {
        method: 'GET',
        path: '/fact/allRelatedFacts',
        params: { uid: checkUid(uid, 'uid'), depth: 1, after: Math.max(0, Math.floor(after)), limit: page },
        parse: (raw) => {
          const answer = parseFactPage(parseJsonBody(raw));
          if (answer.paged) return freezePage({ items: answer.items.slice(0, page), total: answer.total });
          const sliced = slicePage(answer.items, after, page);
          const share = answer.items.length === 0 ? 1 : sliced.items.length / answer.items.length;
          return noteResponseSize(freezePage(sliced), Math.ceil(raw.length * share));
        },
        notFound: EMPTY_PAGE,
      },
      String(uid),
    );
  }

  /**
   * The facts a model is built from: allRelatedFacts without the specialization and
   * classification facts of uid's subtypes and instances (the embedded Archivist's
   * optional `exclude=subtypes,instances`); from an Archivist that ignores it, every
   * related fact, `filtered: false`, for the engine to filter. With `firstPageSize`
   * (the embedded Archivist's optional parameter of the same name) the answer also
   * carries the first page of all related facts (`firstPage`), when there are more
   * than the structural ones: a model's `facts` without a second call. With
   * `withAncestors` (the embedded Archivist's optional `ancestors=true`) it carries the
   * uids of the entity's ancestry (`ancestors`), which the engine reads all at once
   * instead of level by level; an Archivist that ignores the parameter answers without.
   */
  async structuralFacts(uid: number, firstPageSize?: number, withAncestors = false): Promise<StructuralFacts> {
    const firstPage = firstPageSize === undefined ? undefined : Math.max(1, Math.floor(firstPageSize));
    return this.read(
      {
        method: 'GET',
        path: '/fact/allRelatedFacts',
        params: {
          uid: checkUid(uid, 'uid'),
          depth: 1,
          exclude: 'subtypes,instances',
          ...(firstPage === undefined ? {} : { firstPageSize: firstPage }),
          ...(withAncestors ? { ancestors: true } : {}),
        },
        parse: (raw) => {
          const answer = parseFactPage(parseJsonBody(raw));
          const facts = freezeFacts(answer.items);
          const ancestors =
            withAncestors && answer.ancestors !== undefined ? { ancestors: Object.freeze(answer.ancestors) } : {};
          if (!answer.paged || answer.firstPage === undefined || firstPage === undefined) {
            return Object.freeze({ facts, total: answer.total, filtered: answer.paged, ...ancestors });
          }
          // The page repeats the structural facts among its own: share those objects.
          const byUid = new Map(facts.map((f) => [f.fact_uid, f]));
          const page = answer.firstPage.slice(0, firstPage).map((f) => byUid.get(f.fact_uid) ?? f);
          return Object.freeze({
            facts,
            total: answer.total,
            filtered: true,
            firstPage: freezeFacts(page),
            ...ancestors,
          });
        },
        notFound: EMPTY_STRUCTURE,
      },
      String(uid),
    );
  }

  async definitiveFacts(uid: number): Promise<Fact[]> {
    return this.readFacts('/fact/definitiveFacts', { uid: checkUid(uid, 'uid') }, uid);
  }

  async subtypesCone(uid: number): Promise<Fact[]> {
    return this.readFacts('/fact/subtypesCone', { uid: checkUid(uid, 'uid') }, uid);
  }

  async relatedOnSubtypeCone(lhObjectUid: number, relTypeUid: number): Promise<Fact[]> {
    return this.readFacts(
      '/fact/relatedOnUIDSubtypeCone',
      { lh_object_uid: checkUid(lhObjectUid, 'lh_object_uid'), rel_type_uid: checkUid(relTypeUid, 'rel_type_uid') },
      lhObjectUid,
    );
  }

  async classified(uid: number): Promise<Fact[]> {
    return this.readFacts('/fact/classified', { uid: checkUid(uid, 'uid') }, uid);
  }

  async fact(factUid: number): Promise<Fact | null> {
    return this.read(
      {
        method: 'GET',
        path: '/fact/fact',
        params: { uid: checkUid(factUid, 'uid') },
        parse: (raw) => freezeFact(parseOptionalFact(parseJsonBody(raw))),
        notFound: null,
      },
      String(factUid),
    );
  }

  // ---- further reads ----------------------------------------------------

  /** GET /retrieveEntity/type — the entity's nature, or null when unknown. */
  async entityType(uid: number): Promise<EntityNature | null> {
    return this.read(
      {
        method: 'GET',
        path: '/retrieveEntity/type',
        params: { uid: checkUid(uid, 'uid') },
        parse: (raw) => parseNature(jsonOrWord(raw)),
        notFound: null,
      },
      String(uid),
    );
  }

  /** GET /retrieveEntity/category — the entity's Quintessential category, or null when unknown. */
  async entityCategory(uid: number): Promise<CategoryName | null> {
    return this.read(
      {
        method: 'GET',
        path: '/retrieveEntity/category',
        params: { uid: checkUid(uid, 'uid') },
        parse: (raw) => parseCategory(jsonOrWord(raw)),
        notFound: null,
      },
      String(uid),
    );
  }

  /**
   * GET /generalSearch/text — facts matching the term. `fresh` bypasses the caches
   * (read-backs after a write: checks that must see the Archivist's current state).
   */
  async search(term: string, exact = false, { fresh = false }: { fresh?: boolean } = {}): Promise<Fact[]> {
    if (typeof term !== 'string' || term.trim() === '') {
      throw ClarityError.badRequest("Parameter 'searchTerm' must be a non-empty string");
    }
    const spec: CallSpec<Fact[]> = {
      method: 'GET',
      path: '/generalSearch/text',
      params: { searchTerm: term, exactMatch: exact },
      parse: (raw) => freezeFacts(parseFactList(parseJsonBody(raw))),
      notFound: EMPTY,
    };
    return fresh ? this.execute(spec, this.readPolicy) : this.read(spec, SEARCH_DEP);
  }

  // ---- writes -----------------------------------------------------------

  /**
   * PUT /submission/definition — the updated fact, or null when the fact does not exist.
   * Like every write it invalidates, once, what is cached about the fact, its objects
   * and `entityUid` (the entity the update is about), here and on every replica.
   */
  async submitDefinition(
    input: { fact_uid: number; partial_definition: string; full_definition: string },
    entityUid?: number,
  ): Promise<Fact | null> {
    return this.write('/submission/definition', input.fact_uid, entityUid, {
      fact_uid: checkUid(input.fact_uid, 'fact_uid'),
      partial_definition: input.partial_definition,
      full_definition: input.full_definition,
    });
  }

  /**
   * PUT /submission/name — the updated fact, or null when the fact does not exist.
   * `mentionedBy`: further uids (entities and facts) whose cached data shows the old
   * name — related entities, ancestors whose subtype cones list it — invalidated in
   * the same one invalidation.
   */
  async submitName(
    input: { fact_uid: number; name: string },
    entityUid?: number,
    mentionedBy: readonly number[] = [],
  ): Promise<Fact | null> {
    return this.write(
      '/submission/name',
      input.fact_uid,
      entityUid,
      { fact_uid: checkUid(input.fact_uid, 'fact_uid'), name: input.name },
      mentionedBy,
    );
  }

  /** PUT /submission/collection — the updated fact, or null when the fact does not exist. */
  async submitCollection(
    input: { fact_uid: number; collection_uid: number; collection_name: string },
    entityUid?: number,
  ): Promise<Fact | null> {
    return this.write('/submission/collection', input.fact_uid, entityUid, {
      fact_uid: checkUid(input.fact_uid, 'fact_uid'),
      collection_uid: checkUid(input.collection_uid, 'collection_uid'),
      collection_name: input.collection_name,
    });
  }

  /**
   * POST /fact/facts — new facts in one all-or-nothing submission (spec §6);
   * uids 1..100 are temporary. Never retried blindly: when the answer is lost
   * (timeout, reset connection) the write may have been applied, so the caches of
   * the touched entities are dropped and `reconcile` reads back whether it was;
   * only when it says "not applied" is the submission sent once more. Without
   * `reconcile` a lost answer is ARCHIVIST_UNAVAILABLE saying the outcome is
   * unknown. A refused submission (4xx) is BAD_REQUEST with the Archivist's reason.
   * On success the touched entities (and the new ones) are invalidated once.
   */
  async submitFacts(
    facts: readonly NewFact[],
    { reconcile }: { reconcile?: () => Promise<Fact[] | null> } = {},
  ): Promise<SubmittedFacts> {
    const body = checkedFacts(facts);
    const touched = [
      ...new Set(body.flatMap((f) => [f.lh_object_uid, f.rh_object_uid]).filter((uid) => uid > TEMPORARY_UID_MAX)),
    ];
    const spec: CallSpec<SubmittedFacts | null> = {
      method: 'POST',
      path: '/fact/facts',
      body,
      parse: (raw) => parseSubmittedFacts(parseJsonBody(raw), body.length),
      notFound: null,
    };
    const newUids = (result: readonly Fact[]) =>
      result.flatMap((f) => [f.fact_uid, f.lh_object_uid, f.rh_object_uid]).filter((uid) => !touched.includes(uid));
    for (let attempt = 1; ; attempt++) {
      let result: SubmittedFacts | null;
      try {
        result = await this.executeWrite(spec);
      } catch (err) {
        if (!(err instanceof ArchivistCallError) || !isLostAnswer(err)) throw this.writeFailure(spec, err);
        this.logger.warn(`Archivist POST /fact/facts: answer lost (${err.message}); reading back`, {
          context: 'ArchivistClient',
        });
        await this.invalidate(touched);
        if (!reconcile) {
          throw new ClarityError(
            'ARCHIVIST_UNAVAILABLE',
            'Archivist service unavailable: the submission was sent but not answered; whether it was applied is unknown',
          );
        }
        const found = await reconcile();
        if (found && found.length > 0) {
          await this.invalidate([...touched, ...newUids(found)]);
          return { facts: found, temporaryUids: {}, reconciled: true };
        }
        if (attempt >= 2) throw archivistUnavailable();
        continue;
      }
      if (!result) throw new ClarityError('ARCHIVIST_ERROR', 'Archivist does not accept POST /fact/facts (HTTP 404)');
      await this.invalidate([...touched, ...newUids(result.facts)]);
      return result;
    }
  }

  /** POST /validate/binaryFacts — one verdict per fact, in order. A read: it changes nothing, nothing is cached. */
  async validateFacts(facts: readonly NewFact[]): Promise<FactVerdict[]> {
    const body = checkedFacts(facts);
    const verdicts = await this.execute(
      {
        method: 'POST',
        path: '/validate/binaryFacts',
        body,
        parse: (raw) => parseVerdicts(parseJsonBody(raw), body.length),
        notFound: null,
      },
      this.readPolicy,
    );
    if (!verdicts)
      throw new ClarityError('ARCHIVIST_ERROR', 'Archivist does not accept POST /validate/binaryFacts (HTTP 404)');
    return verdicts;
  }

  // ---- cache, events, health ---------------------------------------------

  /**
   * Drops what the caches (both levels, every replica) hold about these entities:
   * for a write this process learns of without making it (e.g. a submission a
   * crashed process sent, found again by reading back).
   */
  async forget(uids: readonly number[]): Promise<void> {
    await this.invalidate([...uids]);
  }

  /** Listens to invalidations, local and from other replicas. Returns the unsubscribe function. */
  onInvalidate(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Listens to "drop everything": after the pub/sub connection was lost and came
   * back, invalidations of other replicas may have been missed, so the client
   * empties its in-process cache and asks its listeners to do the same.
   */
  onInvalidateAll(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => this.clearListeners.delete(listener);
  }

  /**
   * Whether the Archivist answers a cheap read within `pingTimeoutMs`
   * (GET /retrieveEntity/type?uid=<anything>) with an answer of the §6 shape:
   * a 200 whose body is garbage (a proxy's error page, …) is not "available".
   * Bypasses breaker, retries and cache.
   */
  async ping(): Promise<boolean> {
    try {
      const res = await this.http.request({
        method: 'GET',
        url: '/retrieveEntity/type',
        params: { uid: ANYTHING },
        timeout: this.pingTimeoutMs,
        signal: AbortSignal.timeout(this.pingTimeoutMs),
      });
      if (res.status === 404) return true;
      if (res.status < 200 || res.status >= 300) return false;
      parseNature(jsonOrWord(typeof res.data === 'string' ? res.data : '')); // throws WireError on garbage
      return true;
    } catch {
      return false;
    }
  }

  /** Health of the Archivist dependency. */
  async healthStatus(): Promise<'available' | 'unavailable'> {
    return (await this.ping()) ? 'available' : 'unavailable';
  }

  /** Health of the cache dependency: Redis PING (disabled when Redis is not configured). */
  cacheStatus(): Promise<CacheDependencyStatus> {
    return this.cache.status();
  }

  /** Bytes held by the in-process response cache (its share of CACHE_MAX_MB). */
  cacheBytes(): number {
    return this.cache.bytes;
  }

  /** Stops listening to Redis and closes idle HTTP connections. The Redis connections belong to the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cache.close();
    for (const agent of this.agents) agent.destroy();
    this.listeners.clear();
    this.clearListeners.clear();
  }

  // ---- internals ---------------------------------------------------------

  private readFacts(path: string, params: Params, dep: number): Promise<Fact[]> {
    return this.read(
      { method: 'GET', path, params, parse: (raw) => freezeFacts(parseFactList(parseJsonBody(raw))), notFound: EMPTY },
      String(dep),
    );
  }

  private read<T>(spec: CallSpec<T>, dep: string): Promise<T> {
    const key = `${spec.path}?${canonicalParams(spec.params ?? {})}`;
    return this.cache.read(key, dep, () => this.execute(spec, this.readPolicy));
  }

  private async write(
    path: string,
    factUid: number,
    entityUid: number | undefined,
    body: Record<string, unknown>,
    mentionedBy: readonly number[] = [],
  ): Promise<Fact | null> {
    const touched = [...(entityUid === undefined ? [factUid] : [factUid, entityUid]), ...mentionedBy];
    const spec: CallSpec<Fact | null> = {
      method: 'PUT',
      path,
      body,
      parse: (raw) => freezeFact(parseOptionalFact(parseJsonBody(raw))),
      notFound: null,
    };
    let fact: Fact | null;
    try {
      fact = await this.execute(spec, this.writePolicy);
    } catch (err) {
      // The write may have been applied (timeout, lost answer): drop what we know of that fact.
      if (err instanceof ClarityError && err.code === 'ARCHIVIST_UNAVAILABLE') {
        await this.invalidate(touched);
      }
      throw err;
    }
    await this.invalidate(fact ? [...touched, fact.lh_object_uid, fact.rh_object_uid] : touched);
    return fact;
  }

  /** One invalidation: both cache levels here, one message to the other replicas, one call per listener. */
  private async invalidate(uids: number[]): Promise<void> {
    const deps = [...new Set(uids.map(String)), SEARCH_DEP];
    await this.cache.invalidate(deps);
    this.emitInvalidation(deps);
  }

  private emitInvalidation(deps: string[] | null): void {
    const notify = (listener: () => void) => {
      try {
        listener();
      } catch (err) {
        this.logger.error(`Invalidation listener failed: ${(err as Error).message}`, { context: 'ArchivistClient' });
      }
    };
    if (deps === null) {
      for (const listener of this.clearListeners) notify(listener);
      return;
    }
    const uids = [...new Set(deps)]
      .filter((d) => d !== SEARCH_DEP)
      .map(Number)
      .filter(Number.isSafeInteger);
    if (uids.length === 0) return;
    for (const listener of this.listeners) notify(() => listener(uids));
  }

  /** One write through the breaker only (no retry of any kind); failures stay ArchivistCallErrors. */
  private async executeWrite<T>(spec: CallSpec<T>): Promise<T> {
    if (this.closed) throw archivistUnavailable();
    try {
      return await this.breaker.execute(() => this.call(spec));
    } catch (err) {
      if (isBrokenCircuitError(err)) {
        this.metrics?.archivistRequestsTotal.inc({ endpoint: spec.path, outcome: 'short_circuit' });
        throw archivistUnavailable();
      }
      throw err;
    }
  }

  private writeFailure(spec: CallSpec<unknown>, err: unknown): ClarityError {
    if (err instanceof ArchivistCallError && err.kind === 'client' && err.status !== undefined && err.status < 500) {
      this.logger.warn(`Archivist ${spec.method} ${spec.path} refused: ${err.upstreamMessage ?? err.message}`, {
        context: 'ArchivistClient',
      });
      return ClarityError.badRequest(
        `Archivist refused the submission: ${err.upstreamMessage ?? `HTTP ${err.status}`}`,
      );
    }
    const clarity = toClarityError(err);
    if (!(err instanceof ClarityError)) {
      this.logger.warn(`Archivist ${spec.method} ${spec.path} failed: ${(err as Error).message}`, {
        context: 'ArchivistClient',
        code: clarity.code,
      });
    }
    return clarity;
  }

  private async execute<T>(spec: CallSpec<T>, policy: IPolicy): Promise<T> {
    if (this.closed) throw archivistUnavailable();
    try {
      return await policy.execute(() => this.call(spec));
    } catch (err) {
      if (isBrokenCircuitError(err)) {
        this.metrics?.archivistRequestsTotal.inc({ endpoint: spec.path, outcome: 'short_circuit' });
        throw archivistUnavailable();
      }
      const clarity = toClarityError(err);
      this.logger.warn(`Archivist ${spec.method} ${spec.path} failed: ${(err as Error).message}`, {
        context: 'ArchivistClient',
        code: clarity.code,
      });
      throw clarity;
    }
  }

  /** One HTTP call with a hard deadline; records the outcome and duration. */
  private async call<T>(spec: CallSpec<T>): Promise<T> {
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    let outcome: Outcome = 'error';
    try {
      let res;
      try {
        res = await this.http.request<string>({
          method: spec.method,
          url: spec.path,
          params: spec.params,
          data: spec.body,
          timeout: this.timeoutMs,
          signal: controller.signal,
        });
      } catch (err) {
        const failure = classifyTransportError(err, spec.path, timedOut);
        outcome = failure.kind === 'timeout' ? 'timeout' : 'unavailable';
        throw failure;
      }
      if (res.status === 404) {
        outcome = 'not_found';
        return spec.notFound;
      }
      if (res.status >= 500) {
        throw new ArchivistCallError('server', spec.path, `HTTP ${res.status}`, res.status);
      }
      if (res.status < 200 || res.status >= 300) {
        throw new ArchivistCallError(
          'client',
          spec.path,
          `HTTP ${res.status}`,
          res.status,
          false,
          upstreamError(typeof res.data === 'string' ? res.data : ''),
        );
      }
      const raw = typeof res.data === 'string' ? res.data : res.data == null ? '' : String(res.data);
      let value: T;
      try {
        value = spec.parse(raw);
      } catch (err) {
        if (err instanceof WireError) throw new ArchivistCallError('malformed', spec.path, err.message, res.status);
        throw err;
      }
      outcome = raw.trim() === '' || value === null ? 'not_found' : 'success';
      return noteResponseSize(value, raw.length);
    } finally {
      clearTimeout(timer);
      this.metrics?.archivistRequestsTotal.inc({ endpoint: spec.path, outcome });
      this.metrics?.archivistRequestDuration.observe({ endpoint: spec.path }, (performance.now() - started) / 1000);
    }
  }
}

const EMPTY: Fact[] = Object.freeze([]) as unknown as Fact[];
const EMPTY_PAGE: FactPage = Object.freeze({ items: EMPTY, total: 0 });
const EMPTY_STRUCTURE: StructuralFacts = Object.freeze({ facts: EMPTY, total: 0, filtered: true });

function freezePage(page: FactPage): FactPage {
  freezeFacts(page.items);
  return Object.freeze(page);
}

/** The page after `after` of a full list (an Archivist without paging). */
function slicePage(all: Fact[], after: number, limit: number): FactPage {
  const sorted = [...all].sort((a, b) => a.fact_uid - b.fact_uid);
  const from = sorted.findIndex((f) => f.fact_uid > after);
  return { items: from < 0 ? [] : sorted.slice(from, from + limit), total: sorted.length };
}

function checkedFacts(facts: readonly NewFact[]): NewFact[] {
  if (facts.length === 0) throw ClarityError.badRequest('A submission needs at least one fact');
  try {
    return facts.map((fact, i) => checkNewFact(fact, i));
  } catch (err) {
    throw ClarityError.badRequest((err as Error).message);
  }
}

/** A write whose request may have reached the Archivist although no answer came back. */
function isLostAnswer(err: ArchivistCallError): boolean {
  return (err.kind === 'timeout' || err.kind === 'network') && !err.notSent;
}

function classifyTransportError(err: unknown, endpoint: string, timedOut: boolean): ArchivistCallError {
  if (timedOut) return new ArchivistCallError('timeout', endpoint, 'timed out');
  const code = isAxiosError(err) ? (err.code ?? errorCode(err.cause)) : errorCode(err);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return new ArchivistCallError('timeout', endpoint, 'timed out');
  const message = err instanceof Error ? err.message || code || 'network error' : String(err);
  return new ArchivistCallError(
    'network',
    endpoint,
    `${code ?? 'network error'}: ${message}`,
    undefined,
    code === 'ECONNREFUSED',
  );
}

/** The `error` text of a JSON error answer, bounded; undefined when there is none. */
function upstreamError(raw: string): string | undefined {
  try {
    const body = JSON.parse(raw) as unknown;
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') {
      return body.error.slice(0, 2000);
    }
  } catch {
    // not JSON
  }
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

function breakerGauge(state: CircuitState): number {
  if (state === CircuitState.Closed) return 0;
  if (state === CircuitState.HalfOpen) return 1;
  return 2;
}

function canonicalParams(params: Params): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(params[k]))}`)
    .join('&');
}

function checkUid(uid: number, name: string): number {
  if (!Number.isSafeInteger(uid) || uid <= 0) {
    throw ClarityError.badRequest(`Parameter '${name}' must be a positive integer`);
  }
  return uid;
}

/** A JSON answer, or a bare word (some servers send `kind` as text/plain). */
function jsonOrWord(raw: string): unknown {
  try {
    return parseJsonBody(raw);
  } catch (err) {
    if (/^[a-z ]{1,40}$/i.test(raw.trim())) return raw.trim();
    throw err;
  }
}

function freezeFacts(facts: Fact[]): Fact[] {
  for (const fact of facts) Object.freeze(fact);
  return Object.freeze(facts) as Fact[];
}

function freezeFact(fact: Fact | null): Fact | null {
  return fact ? Object.freeze(fact) : null;
}
