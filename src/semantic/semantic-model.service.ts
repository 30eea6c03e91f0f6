import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { cacheBudget } from '../config/cache-budget.js';
import { jsonText } from '../gateway/envelope.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ArchivistClient } from '../archivist/archivist-client.js';
import type { CategoryName, Fact } from '../gellish/fact.js';
import type { FactsPageAnswer } from './facts-paging.js';
import { SemanticModelEngine, type FactsPageOptions } from './semantic-model-engine.js';
import type { ModelOptions, SemanticModel } from './model-types.js';

const BATCH_CONCURRENCY = 8;

/**
 * Nest edge of the semantic model engine: the engine is plain TypeScript over a
 * FactSource, here the Archivist client, and stays private to this service.
 * Invalidations from the client (local updates and other replicas) reach the
 * engine's own memo.
 */
@Injectable()
export class SemanticModelService {
  private readonly engine: SemanticModelEngine;

  constructor(
    archivist: ArchivistClient,
    @Inject(LOGGER) logger: Logger,
    @Optional() @Inject(CONFIG) config?: AppConfig,
    @Optional() metrics?: MetricsService,
  ) {
    const budget = cacheBudget(config?.cache.maxMb);
    this.engine = new SemanticModelEngine(archivist, {
      cacheBytes: { facts: budget.factsBytes, views: budget.viewsBytes, models: budget.modelsBytes },
      // The model and its serialized text (the gateway keeps it while the model lives, and
      // reuses this one): measured with the text the answers will send anyway.
      modelSize: (model) => 2 * jsonText(model).length,
      logger: {
        warn: (message: string, meta?: Record<string, unknown>) =>
          logger.warn(message, { context: 'Semantic', ...meta }),
      },
    });
    for (const cache of ['facts', 'views', 'models'] as const) {
      metrics?.trackCacheBytes(cache, () => this.engine.cacheBytes()[cache]);
    }
    archivist.onInvalidate((uids) => this.engine.invalidate(...uids));
    // After a Redis outage this replica may have missed other replicas' updates.
    archivist.onInvalidateAll(() => this.engine.clear());
  }

  getModel(uid: number, options: ModelOptions = {}): Promise<SemanticModel> {
    return this.engine.getModel(uid, options);
  }

  /** The model when it is memoised (see SemanticModelEngine.memoisedModel), else undefined; never builds. */
  memoisedModel(uid: number, options: ModelOptions = {}): SemanticModel | undefined {
    return this.engine.memoisedModel(uid, options);
  }

  /** Whether the entity exists (has facts); cheap: one cached Archivist read, shared with its model. */
  exists(uid: number): Promise<boolean> {
    return this.engine.exists(uid);
  }

  /** The entity's name and its supertypes at any depth (see SemanticModelEngine.lineage); null when unknown. */
  lineage(uid: number): Promise<{ name: string; ancestors: number[] } | null> {
    return this.engine.lineage(uid);
  }

  getBatch(uids: number[], options: ModelOptions = {}): Promise<Array<SemanticModel | null>> {
    return this.engine.getBatch(uids, { ...options, concurrency: BATCH_CONCURRENCY });
  }

  getKindModel(uid: number, options: ModelOptions = {}): Promise<SemanticModel> {
    return this.engine.getKindModel(uid, options);
  }

  getIndividualModel(uid: number, options: ModelOptions = {}): Promise<SemanticModel> {
    return this.engine.getIndividualModel(uid, options);
  }

  getCategoryModel(
    uid: number,
    category: Exclude<CategoryName, 'anything'>,
    options: ModelOptions = {},
  ): Promise<SemanticModel> {
    return this.engine.getCategoryModel(uid, category, options);
  }

  /** A page `{items, total, nextCursor}` of the entity's facts (spec §3). */
  getFactsByEntity(uid: number, options: FactsPageOptions = {}): Promise<FactsPageAnswer> {
    return this.engine.getFactsByEntity(uid, options);
  }

  /**
   * The fact an update of the entity's definition or name applies to: `factUid` when it
   * is one of the entity's facts, else the entity's definitive fact (BAD_REQUEST otherwise).
   */
  definitiveFactFor(uid: number, factUid?: number): Promise<Fact> {
    return this.engine.definitiveFactFor(uid, factUid);
  }
}
