import { ClarityError } from '../common/clarity-error.js';
import type { CategoryName, Fact } from '../gellish/fact.js';
import { CATEGORY_PRECEDENCE } from '../gellish/gellish-uids.js';
import { walkAncestors } from './ancestry.js';
import { buildCategoryParts } from './category-parts.js';
import { classifyFacts } from './classified-fact.js';
import { collectionOf, definitionsOf, legacyKeys, synonymsOf } from './common-fields.js';
import { EntityView } from './entity-view.js';
import { isPagedFactSource, type FactSource } from './fact-source.js';
import {
  DEFAULT_FACTS_LIMIT,
  DEFAULT_PAGE_LIMIT,
  decodeFactsCursor,
  encodeFactsCursor,
  isSubtypeOrInstanceFact,
  pageOf,
  readFactsPage,
  sortedByFactUid,
  type FactsPageAnswer,
} from './facts-paging.js';
import { mapBounded } from './bounded-map.js';
import { Memo } from './memo.js';
import { cacheBudget } from '../config/cache-budget.js';
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
/**
 * Heap estimates of the entity memos: a parsed fact weighs about 500 bytes (measured on
 * TOPini: 496 bytes of heap per fact, definitions included), a classified fact about 150.
 */
export const FACT_BYTES = 500;
export const CLASSIFIED_FACT_BYTES = 150;
const ENTRY_BYTES = 200;

function defaultModelSize(model: SemanticModel): number {
  return 2 * (JSON.stringify(model)?.length ?? 0);
}

/**
 * What the engine keeps of an entity's facts: the structural ones (all related facts
 * except the specialization and classification facts of its subtypes and instances,
 * sorted by fact_uid) and the number of all of them. Bounded by the entity's own
 * structure, so a hub such as "physical object" costs no more than any kind.
 */
interface EntityFacts {
  structural: readonly Fact[];
  total: number;
  /** The entity's name from a left-out fact, when no structural fact names it. */
  nameHint?: string;
  /**
   * The first FIRST_PAGE_SIZE of all related facts (by fact_uid), when `structural` is
   * not all of them: the default `facts` page of the model, read with the structural facts.
   */
  firstPage?: readonly Fact[];
  /** The uids of the entity's ancestry, when the source told them (StructuralFacts.ancestors). */
  ancestors?: readonly number[];
}

/** Related facts read with an entity's structural facts: the default `facts` page of its model. */
const FIRST_PAGE_SIZE = DEFAULT_FACTS_LIMIT;

export interface FactsPageOptions {
  /** 1..5000, default 500. */
  limit?: number;
  /** An opaque cursor from a previous page's nextCursor. */
  cursor?: string;
}

export interface BatchOptions extends ModelOptions {
  /** Maximum number of models built at once; default 8. */
  concurrency?: number;
}

/** The model memo's key: the uid; negative without facts; "uid:limit" for another facts limit. */
function modelKey(uid: number, options: ModelOptions): number | string {
  if (options.includeFacts === false) return -uid;
  const limit = options.factsLimit ?? DEFAULT_FACTS_LIMIT;
  return limit === DEFAULT_FACTS_LIMIT ? uid : `${uid}:${limit}`;
}

/**
 * Builds the semantic models of spec §5 from facts read through a FactSource.
 * The relation hierarchy is loaded once (refresh() reloads it); the facts of every
 * entity seen are memoised in a bounded LRU, invalidated per uid by invalidate().
 */
export class SemanticModelEngine {
  /** Structural facts per entity (allRelatedFacts without its subtypes' and instances' facts). */
  private readonly facts: Memo<number, EntityFacts>;
  private readonly views: Memo<number, EntityView>;
  /**
   * Built models by uid (negative uid: built with includeFacts false; "uid:limit" for a
   * factsLimit other than the default). A model
   * depends on its ancestors' facts too, so any invalidation empties it.
   */
  private readonly models: Memo<number | string, SemanticModel, ModelOptions>;
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
    const budget = cacheBudget();
    const bytes = options.cacheBytes ?? {
      facts: budget.factsBytes,
      views: budget.viewsBytes,
      models: budget.modelsBytes,
    };
    this.facts = new Memo(size, (uid) => this.loadFacts(uid), {
      maxBytes: bytes.facts,
      // An upper bound: facts of firstPage that are structural ones are shared objects, counted twice here.
      sizeOf: (f) =>
        ENTRY_BYTES + (f.structural.length + (f.firstPage?.length ?? 0)) * FACT_BYTES + 8 * (f.ancestors?.length ?? 0),
    });
    this.views = new Memo(size, (uid) => this.buildView(uid), {
      maxBytes: bytes.views,
      sizeOf: (v) => ENTRY_BYTES + v.raw.length * CLASSIFIED_FACT_BYTES,
    });
    this.models = new Memo(
      Math.min(size, MAX_MODEL_MEMO),
      (key, options) => this.buildModel(Math.abs(typeof key === 'number' ? key : Number.parseInt(key, 10)), options),
      { maxBytes: bytes.models, sizeOf: options.modelSize ?? defaultModelSize },
    );
    this.logger = options.logger;
    this.relationRoots = options.relationRoots ?? DEFAULT_RELATION_ROOTS;
    const structuralFacts = { get: async (uid: number) => (await this.facts.get(uid)).structural };
    this.phrases = new RelationPhrases(structuralFacts, size, () => {
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

  /** Bytes held by the memos (estimates, see FACT_BYTES and EngineOptions.modelSize). */
  cacheBytes(): { facts: number; views: number; models: number } {
    return { facts: this.facts.bytes, views: this.views.bytes, models: this.models.bytes };
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

  /** The entity's structural facts: left out by the source when it can, else filtered here. */
  private async loadFacts(uid: number): Promise<EntityFacts> {
    if (isPagedFactSource(this.source)) {
      const answer = await this.source.structuralFacts(uid, FIRST_PAGE_SIZE, true);
      if (!answer.filtered) return this.filterStructural(uid, answer.facts);
      const structural = sortedByFactUid(answer.facts);
      const firstPage = answer.total > structural.length ? answer.firstPage : undefined;
      const ancestors = answer.ancestors && answer.ancestors.length > 0 ? { ancestors: answer.ancestors } : {};
      if (!firstPage) return { structural, total: answer.total, ...ancestors };
      return {
        structural,
        total: answer.total,
        firstPage,
        nameHint: needsName(uid, structural) ? nameIn(uid, firstPage[0]) : undefined,
        ...ancestors,
      };
    }
    return this.filterStructural(uid, await this.source.allRelatedFacts(uid));
  }

  private async filterStructural(uid: number, all: readonly Fact[]): Promise<EntityFacts> {
    const h = await this.relationHierarchy();
    const sorted = sortedByFactUid(all);
    const structural = sorted.filter((f) => !isSubtypeOrInstanceFact(uid, f, h));
    if (structural.length === sorted.length) return { structural: sorted, total: sorted.length };
    return {
      structural,
      total: sorted.length,
      firstPage: sorted.slice(0, FIRST_PAGE_SIZE),
      nameHint: needsName(uid, structural) ? nameIn(uid, sorted[0]) : undefined,
    };
  }

  private async buildView(uid: number): Promise<EntityView> {
    const h = await this.relationHierarchy();
    const { structural, total, nameHint: known } = await this.facts.get(uid);
    if (total === 0) {
      // Unknown uids are not remembered (the entity may appear later); its callers still get the view.
      this.facts.delete(uid);
      this.views.delete(uid);
    }
    let nameHint = known;
    if (nameHint === undefined && total > structural.length && needsName(uid, structural)) {
      // Only subtypes or instances name it (e.g. 730000 "anything"): its name from the first related fact.
      nameHint = nameIn(uid, (await readFactsPage(this.source, uid, 0, 1)).items[0]);
    }
    return new EntityView(uid, structural, await classifyFacts(structural, h, this.phrases), nameHint, total);
  }

  /**
   * Starts reading the views of the entity's ancestry all at once when the source told
   * it with the entity's facts (EntityFacts.ancestors): the walk up the supertypes that
   * follows then finds them read or being read instead of reading one level after the
   * other. The walk decides what the model is built from; failures are left to it.
   */
  private async readAncestryAtOnce(uid: number): Promise<void> {
    const { ancestors } = await this.facts.get(uid);
    for (const ancestor of ancestors ?? []) this.view(ancestor).catch(() => undefined);
  }

  private async existing(uid: number): Promise<EntityView> {
    const v = await this.view(uid);
    if (v.total === 0) throw ClarityError.notFound(uid);
    return v;
  }

  /**
   * The entity's name and every entity it is a specialization of, at any depth
   * (1146-cone facts, qualifications included: the ancestry its model is built
   * from), nearest first; null when the graph does not know the entity.
   */
  async lineage(uid: number): Promise<{ name: string; ancestors: number[] } | null> {
    if (!(await this.exists(uid))) return null;
    await this.readAncestryAtOnce(uid);
    const self = await this.view(uid);
    const ancestry = await walkAncestors(uid, self.supertypes(), (u) => this.view(u));
    return { name: self.name(), ancestors: ancestry.order };
  }

  /**
   * Whether the entity has any fact: one (memoised, cached) read, the same the
   * entity's model starts with. Unknown uids are not remembered.
   */
  async exists(uid: number): Promise<boolean> {
    if ((await this.facts.get(uid)).total > 0) return true;
    this.facts.delete(uid);
    return false;
  }

  /**
   * A page of the facts with uid as left or right object, ordered by fact_uid, with
   * their total and the cursor of the next page (null on the last one). A cursor that
   * is not one of this entity's → BAD_REQUEST; an unknown uid → NOT_FOUND.
   */
  async getFactsByEntity(uid: number, options: FactsPageOptions = {}): Promise<FactsPageAnswer> {
    const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
    const after = options.cursor === undefined ? 0 : decodeFactsCursor(uid, options.cursor);
    const page = await this.factsPage(uid, after, limit + 1);
    if (page.total === 0) throw ClarityError.notFound(uid);
    const items = page.items.length > limit ? page.items.slice(0, limit) : page.items;
    const last = items[items.length - 1];
    return {
      items,
      total: page.total,
      nextCursor: page.items.length > limit && last ? encodeFactsCursor(uid, last.fact_uid) : null,
    };
  }

  /**
   * From the memoised facts when they are all of them or the page is within the first
   * page read with them, else from the source.
   */
  private async factsPage(uid: number, after: number, limit: number): Promise<{ items: Fact[]; total: number }> {
    const known = this.facts.peek(uid);
    if (known && known.total === known.structural.length) return pageOf(known.structural, after, limit);
    const first = known?.firstPage;
    if (known && first && after === 0 && (limit <= first.length || first.length === known.total)) {
      return { items: first.slice(0, limit), total: known.total };
    }
    return readFactsPage(this.source, uid, after, limit);
  }

  /**
   * The semantic model of any entity (kind, individual, qualification or anything).
   * Built once and memoised until an invalidation; callers share the result and
   * must treat it as read-only.
   */
  getModel(uid: number, options: ModelOptions = {}): Promise<SemanticModel> {
    return this.models.get(modelKey(uid, options), options);
  }

  /**
   * The model when it is built and memoised (the same object getModel would resolve to),
   * else undefined without starting a build: a warm request can be answered without
   * a promise.
   */
  memoisedModel(uid: number, options: ModelOptions = {}): SemanticModel | undefined {
    return this.models.hit(modelKey(uid, options));
  }

  private async buildModel(uid: number, options: ModelOptions): Promise<SemanticModel> {
    const h = await this.relationHierarchy();
    await this.readAncestryAtOnce(uid);
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
      ...(options.includeFacts === false ? {} : await this.modelFacts(uid, options.factsLimit ?? DEFAULT_FACTS_LIMIT)),
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

  /** `facts` (the first factsLimit related facts), `factsTotal` and `factsNextCursor` of a model. */
  private async modelFacts(
    uid: number,
    limit: number,
  ): Promise<{ facts: Fact[]; factsTotal: number; factsNextCursor: string | null }> {
    const page = await this.factsPage(uid, 0, limit);
    const last = page.items[page.items.length - 1];
    return {
      facts: page.items,
      factsTotal: page.total,
      factsNextCursor: page.total > page.items.length && last ? encodeFactsCursor(uid, last.fact_uid) : null,
    };
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

/** No structural fact has the entity on either side (so none names it). */
function needsName(uid: number, structural: readonly Fact[]): boolean {
  return !structural.some((f) => f.lh_object_uid === uid || f.rh_object_uid === uid);
}

function nameIn(uid: number, fact: Fact | undefined): string | undefined {
  if (!fact) return undefined;
  return fact.rh_object_uid === uid ? fact.rh_object_name : fact.lh_object_name;
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
