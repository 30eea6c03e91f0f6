import { ClarityError } from '../common/clarity-error.js';
import type { CategoryName, Fact } from '../gellish/fact.js';
import { CATEGORY_PRECEDENCE } from '../gellish/gellish-uids.js';
import { walkAncestors } from './ancestry.js';
import { buildCategoryParts } from './category-parts.js';
import { classifyFacts } from './classified-fact.js';
import { collectionOf, definitionsOf, legacyKeys, synonymsOf } from './common-fields.js';
import { EntityView } from './entity-view.js';
import type { FactSource } from './fact-source.js';
import { mapBounded } from './bounded-map.js';
import { Memo } from './memo.js';
import type {
  EngineLogger,
  EngineOptions,
  IndividualModel,
  KindModel,
  ModelNature,
  ModelOptions,
  SemanticModel,
} from './model-types.js';
import { RelationHierarchy } from './relation-hierarchy.js';
import { RelationPhrases } from './relation-phrases.js';
import { DEFAULT_RELATION_ROOTS } from './relation-parts.js';

const DEFAULT_CACHE_SIZE = 10_000;
/** Most built models kept (they share their facts with the fact memo). */
const MAX_MODEL_MEMO = 5_000;
const DEFAULT_BATCH_CONCURRENCY = 8;

export interface BatchOptions extends ModelOptions {
  /** Maximum number of models built at once; default 8. */
  concurrency?: number;
}

/**
 * Builds the semantic models of spec §5 from facts read through a FactSource.
 * The relation hierarchy is loaded once (refresh() reloads it); the facts of every
 * entity seen are memoised in a bounded LRU, invalidated per uid by invalidate().
 */
export class SemanticModelEngine {
  /** `allRelatedFacts` per entity. */
  private readonly facts: Memo<number, Fact[]>;
  private readonly views: Memo<number, EntityView>;
  /**
   * Built models by uid (negative uid: built with includeFacts false). A model
   * depends on its ancestors' facts too, so any invalidation empties it.
   */
  private readonly models: Memo<number, SemanticModel, ModelOptions>;
  private readonly phrases: RelationPhrases;
  private readonly logger: EngineLogger | undefined;
  private readonly relationRoots: readonly number[];
  /** One value, not a keyed cache: a plain shared promise (dropped on failure) rather than a Memo. */
  private hierarchyPromise: Promise<RelationHierarchy> | undefined;
  private loadedHierarchy: RelationHierarchy | undefined;

  constructor(
    private readonly source: FactSource,
    options: EngineOptions = {},
  ) {
    const size = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.facts = new Memo(size, (uid) => source.allRelatedFacts(uid));
    this.views = new Memo(size, (uid) => this.buildView(uid));
    this.models = new Memo(Math.min(size, MAX_MODEL_MEMO), (key, options) => this.buildModel(Math.abs(key), options));
    this.logger = options.logger;
    this.relationRoots = options.relationRoots ?? DEFAULT_RELATION_ROOTS;
    this.phrases = new RelationPhrases(this.facts, size, () => {
      if (!this.loadedHierarchy) throw new Error('relation hierarchy not loaded');
      return this.loadedHierarchy;
    });
  }

  /** The relation-type hierarchy, loaded on first use and shared by all models. */
  relationHierarchy(): Promise<RelationHierarchy> {
    if (!this.hierarchyPromise) {
      const p = RelationHierarchy.load(this.source, this.relationRoots).then((h) => {
        if (this.hierarchyPromise === p) this.loadedHierarchy = h;
        return h;
      });
      this.hierarchyPromise = p;
      p.catch(() => {
        if (this.hierarchyPromise === p) this.hierarchyPromise = undefined;
      });
    }
    return this.hierarchyPromise;
  }

  /** Forgets everything memoised about these entities (after an update of their facts). */
  invalidate(...uids: number[]): void {
    this.models.clear();
    for (const uid of uids) {
      this.facts.delete(uid);
      this.views.delete(uid);
      this.phrases.invalidate(uid);
    }
  }

  /** Forgets all memoised facts (the hierarchy stays). */
  clear(): void {
    this.models.clear();
    this.facts.clear();
    this.views.clear();
    this.phrases.clear();
  }

  private view(uid: number): Promise<EntityView> {
    return this.views.get(uid);
  }

  private async buildView(uid: number): Promise<EntityView> {
    const h = await this.relationHierarchy();
    const facts = await this.facts.get(uid);
    if (facts.length === 0) {
      // Unknown uids are not remembered (the entity may appear later); its callers still get the view.
      this.facts.delete(uid);
      this.views.delete(uid);
    }
    return new EntityView(uid, facts, await classifyFacts(facts, h, this.phrases));
  }

  private async existing(uid: number): Promise<EntityView> {
    const v = await this.view(uid);
    if (v.raw.length === 0) throw ClarityError.notFound(uid);
    return v;
  }

  /**
   * Whether the entity has any fact: one (memoised, cached) allRelatedFacts read,
   * the same the entity's model starts with. Unknown uids are not remembered.
   */
  async exists(uid: number): Promise<boolean> {
    if ((await this.facts.get(uid)).length > 0) return true;
    this.facts.delete(uid);
    return false;
  }

  /** All facts with uid as left or right object. */
  async getFactsByEntity(uid: number): Promise<Fact[]> {
    return [...(await this.existing(uid)).raw];
  }

  /**
   * The semantic model of any entity (kind, individual, qualification or anything).
   * Built once and memoised until an invalidation; callers share the result and
   * must treat it as read-only.
   */
  getModel(uid: number, options: ModelOptions = {}): Promise<SemanticModel> {
    return this.models.get(options.includeFacts === false ? -uid : uid, options);
  }

  private async buildModel(uid: number, options: ModelOptions): Promise<SemanticModel> {
    const h = await this.relationHierarchy();
    const self = await this.existing(uid);
    const nature = self.nature();
    const individual = nature === 'individual';
    const start = individual ? self.classifiers() : self.supertypes();
    const ancestry = await walkAncestors(uid, start, (u) => this.view(u));
    const ancestors = ancestry.order.map((u) => ancestry.views.get(u) as EntityView);
    const category = categoryOf(uid, individual, ancestry.order);
    const roleViews = new Map<number, EntityView>();
    if (category === 'relation') {
      const probe = buildCategoryParts(category, {
        self,
        ancestors,
        inherit: !individual,
        individual,
        roleViews,
      });
      if (probe.category === 'relation') {
        const roles = [probe.requiredRole1?.uid, probe.requiredRole2?.uid].filter((u): u is number => u !== undefined);
        const loaded = await Promise.all([...new Set(roles)].map((r) => this.view(r)));
        loaded.forEach((v) => roleViews.set(v.uid, v));
      }
    }
    const parts = buildCategoryParts(category, {
      self,
      ancestors,
      inherit: !individual,
      individual,
      roleViews,
    });
    const name = self.name();
    const common = {
      uid,
      name,
      nature,
      collection: collectionOf(self),
      definitions: definitionsOf(self),
      synonyms: synonymsOf(self, name),
    };
    const tail = {
      unclassifiedFacts: self.classification.unclassified,
      ...(options.includeFacts === false ? {} : { facts: [...self.raw] }),
      ...(ancestry.warnings.length > 0 ? { warnings: ancestry.warnings } : {}),
    };
    for (const w of ancestry.warnings) this.logger?.warn(w, { uid });
    if (individual) {
      const model: IndividualModel = { ...common, classifiers: start, ...parts, ...tail };
      return model;
    }
    const model: KindModel = {
      ...common,
      supertypes: start,
      ...legacyKeys(self, h),
      ...parts,
      ...tail,
    };
    return model;
  }

  /** The model of a kind (or of the root 730000), else WRONG_NATURE. */
  async getKindModel(uid: number, options: ModelOptions = {}): Promise<KindModel> {
    const model = await this.getModel(uid, options);
    if (model.nature !== 'kind' && model.nature !== 'anything') {
      throw wrongNature(uid, model.nature, 'kind');
    }
    return model as KindModel;
  }

  /** The model of an individual, else WRONG_NATURE. */
  async getIndividualModel(uid: number, options: ModelOptions = {}): Promise<IndividualModel> {
    const model = await this.getModel(uid, options);
    if (model.nature !== 'individual') throw wrongNature(uid, model.nature, 'individual');
    return model as IndividualModel;
  }

  /** The model when the entity belongs to `category`, else WRONG_CATEGORY. */
  async getCategoryModel(uid: number, category: CategoryName, options: ModelOptions = {}): Promise<SemanticModel> {
    const model = await this.getModel(uid, options);
    if (model.category !== category) {
      throw new ClarityError('WRONG_CATEGORY', `Entity with UID ${uid} is a ${model.category}, not a ${category}`);
    }
    return model;
  }

  /**
   * Models in request order; an unknown uid gives null in its slot. Each distinct uid is
   * built once, at most `concurrency` at a time. Other failures fail the batch.
   */
  async getBatch(uids: readonly number[], options: BatchOptions = {}): Promise<Array<SemanticModel | null>> {
    const distinct = [...new Set(uids)];
    const built = await mapBounded(distinct, options.concurrency ?? DEFAULT_BATCH_CONCURRENCY, async (uid) => {
      try {
        return await this.getModel(uid, options);
      } catch (err) {
        if (err instanceof ClarityError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    });
    const byUid = new Map(distinct.map((u, i) => [u, built[i]]));
    return uids.map((u) => byUid.get(u) ?? null);
  }

  /**
   * The fact an update of the entity's definition or name applies to: the named fact when
   * it is one of the entity's facts, else its definitive (qualification, specialization or
   * classification) fact.
   */
  async definitiveFactFor(uid: number, factUid?: number): Promise<Fact> {
    const self = await this.existing(uid);
    if (factUid !== undefined) {
      const named = self.raw.find((f) => f.fact_uid === factUid);
      if (!named) {
        throw ClarityError.badRequest(`Fact ${factUid} is not a fact of entity ${uid}`);
      }
      return named;
    }
    const definitive = self.definitiveFacts()[0];
    if (!definitive) throw ClarityError.badRequest(`Entity with UID ${uid} has no definitive fact`);
    return definitive.fact;
  }
}

/** First category root (in §5 precedence) that the entity (or its classifiers) is or descends from. */
function categoryOf(uid: number, individual: boolean, ancestors: readonly number[]): CategoryName {
  const lineage = new Set(ancestors);
  if (!individual) lineage.add(uid);
  return CATEGORY_PRECEDENCE.find((c) => lineage.has(c.uid))?.name ?? 'anything';
}

function wrongNature(uid: number, nature: ModelNature, wanted: string): ClarityError {
  return new ClarityError(
    'WRONG_NATURE',
    `Entity with UID ${uid} is ${nature === 'individual' ? 'an' : 'a'} ${nature}, not a ${wanted}`,
  );
}
