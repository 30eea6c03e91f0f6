import {
  FACT_DEFINITION_FIELDS,
  FACT_LABEL_FIELDS,
  type CategoryName,
  type EntityNature,
  type Fact,
} from '../gellish/fact.js';
import { RelationType } from '../gellish/gellish-uids.js';
import { categoryOf } from './entity-category.js';
import { natureOf, type NatureCones } from './entity-nature.js';
import { ByteTextTable, Float64Column, Int32Column, TextTable } from './fact-columns.js';
import type { LoadedFact } from './gellish-table-loader.js';
import { RowIndex } from './row-index.js';
import { SpecializationHierarchy, type RowGraph } from './specialization-hierarchy.js';

/** Options of FactStore.relatedFactsPage. */
export interface RelatedPageOptions {
  after?: number;
  limit?: number;
  structural?: boolean;
}

/**
 * Entities with at least this many facts on their right get a second right-object list
 * holding only their structural rows (not the specialization and classification facts
 * of their subtypes and instances), so that a hub's structural facts cost their own
 * number, not the hub's. Smaller lists are filtered as they are walked.
 */
export const STRUCTURAL_SPLIT_MIN_ROWS = 256;

/** Most uids FactStore.ancestry answers. */
export const MAX_ANCESTRY = 1_000;

/** Deepest allRelatedFacts walk the store answers. */
export const MAX_RELATED_DEPTH = 3;

/** Short optional texts are interned in the label table; definitions go to the UTF-8 text chunks. */
const LABEL_FIELDS = FACT_LABEL_FIELDS;
const DEFINITION_FIELDS = FACT_DEFINITION_FIELDS;
type LabelField = (typeof LABEL_FIELDS)[number];
type DefinitionField = (typeof DEFINITION_FIELDS)[number];
type OptionalTextField = LabelField | DefinitionField;

/**
 * The in-memory graph the embedded Archivist serves, stored column-wise: one row per
 * fact, its uids in Float64Array columns, its names, phrases and labels as ids into
 * interned text tables, its definitions as UTF-8 bytes in chunks (each stored once per
 * fact that has it, a run of facts repeating one definition once).
 * Index lists (by left object, right object and relation type) are Int32Arrays of
 * rows ordered by fact uid; a Fact object is made only when a fact is answered.
 *
 * A store is filled either at once (`new FactStore(loaded)`, `FactStore.fromFacts`)
 * or row by row while tables are read (`FactStore.open()`, `append()`, then `seal()`,
 * which builds the indexes and the specialization hierarchy). After that, `add()`
 * appends submitted facts (visible in every index) and the setters change names,
 * definitions and collections in the columns. Uids never change after load.
 */
export class FactStore implements RowGraph {
  private count = 0;
  private readonly rowOfFactUid = new Map<number, number>();
  private readonly factUid = new Float64Column();
  private readonly leftUid = new Float64Column();
  private readonly relationType = new Float64Column();
  private readonly rightUid = new Float64Column();
  private readonly leftName = new Int32Column();
  private readonly relationName = new Int32Column();
  private readonly rightName = new Int32Column();
  private uomUid: Float64Column | undefined;
  private collectionUid: Float64Column | undefined;
  /** Created on the first row that has the field. */
  private readonly optionalText: Partial<Record<OptionalTextField, Int32Column>> = {};

  /** Object names (left and right), interned: what search reads. */
  private readonly names = new TextTable();
  /** Relation phrases, units, collections, statuses, dates, authors, interned. */
  private readonly labels = new TextTable();
  private readonly definitions: Record<DefinitionField, ByteTextTable> = {
    partial_definition: new ByteTextTable(),
    full_definition: new ByteTextTable(),
  };
  /** Lower-cased name → ids of the names that are not lower case themselves. */
  private readonly mixedCaseNames = new Map<string, number[]>();
  private readonly mixedCaseIds = new Set<number>();
  /** Name id → a uid that carries it (NaN: none yet); further uids in nameMoreUids. */
  private readonly nameUid = new Float64Column();
  private readonly nameMoreUids = new Map<number, number[]>();

  private readonly byLeft = new RowIndex();
  private readonly byRight = new RowIndex();
  private readonly byRelationType = new RowIndex();
  /**
   * For the entities in `splitRight` (at least STRUCTURAL_SPLIT_MIN_ROWS rows on the
   * right): their right-object rows that were not subtype or instance rows when indexed.
   * The relation-type cones only grow (no fact is ever removed and uids never change),
   * so a row can only turn into a subtype or instance row later: the list is a superset
   * of the structural rows and is still filtered when read.
   */
  private readonly byRightStructural = new RowIndex();
  private readonly splitRight = new Set<number>();
  private readonly extras = new Map<number, Record<string, string>>();
  private sealed = false;
  private maxUid = 0;
  /** Highest fact uid so far: tables mostly come in fact uid order, and a higher uid needs no lookup. */
  private maxFactUid = Number.NEGATIVE_INFINITY;
  /** The last text and id of each label field: a run of rows with one phrase or collection skips the lookup. */
  private readonly lastLabel = new Map<string, { text: string; id: number }>();
  private hierarchyOfStore: SpecializationHierarchy | undefined;
  private natureConesOfStore: NatureCones | undefined;

  /** A store holding the loaded facts, sealed (ready to answer). */
  constructor(loaded: readonly LoadedFact[] = [], open = false) {
    for (const { fact, extraColumns } of loaded) this.append(fact, extraColumns);
    if (!open) this.seal();
  }

  /** An empty store to fill with append() while tables are read; seal() when done. */
  static open(): FactStore {
    return new FactStore([], true);
  }

  /** Builds a store from plain facts (tests, tools). */
  static fromFacts(facts: readonly Fact[]): FactStore {
    const store = FactStore.open();
    for (const fact of facts) store.append(fact);
    store.seal();
    return store;
  }

  get size(): number {
    return this.count;
  }

  /** The highest uid in the graph (fact, object, relation type, unit or collection): new uids go above it. */
  get highestUid(): number {
    return this.maxUid;
  }

  get hierarchy(): SpecializationHierarchy {
    if (!this.hierarchyOfStore) throw new Error('FactStore: not sealed');
    return this.hierarchyOfStore;
  }

  private get natureCones(): NatureCones {
    if (!this.natureConesOfStore) throw new Error('FactStore: not sealed');
    return this.natureConesOfStore;
  }

  /**
   * Appends one fact as a new row; after seal() it is indexed at once. Throws on a
   * fact uid the store already holds. Extra columns (table columns the Fact does not
   * map) are kept beside it when there are any.
   */
  append(fact: Fact, extraColumns?: Readonly<Record<string, string>>): void {
    if (this.rowOf(fact.fact_uid) !== undefined) throw new Error(`duplicate fact uid ${fact.fact_uid}`);
    const row = this.count++;
    this.rowOfFactUid.set(fact.fact_uid, row);
    if (fact.fact_uid > this.maxFactUid) this.maxFactUid = fact.fact_uid;
    this.factUid.set(row, fact.fact_uid);
    this.leftUid.set(row, fact.lh_object_uid);
    this.relationType.set(row, fact.rel_type_uid);
    this.rightUid.set(row, fact.rh_object_uid);
    this.leftName.set(row, this.nameId(fact.lh_object_name));
    this.relationName.set(row, this.labelId('rel_type_name', fact.rel_type_name));
    this.rightName.set(row, this.nameId(fact.rh_object_name));
    for (const field of DEFINITION_FIELDS) this.setText(row, field, fact[field] ?? '');
    if (fact.uom_uid !== undefined) (this.uomUid ??= new Float64Column()).set(row, fact.uom_uid);
    if (fact.collection_uid !== undefined) {
      (this.collectionUid ??= new Float64Column()).set(row, fact.collection_uid);
    }
    for (const field of LABEL_FIELDS) this.setText(row, field, fact[field] ?? '');
    if (extraColumns && Object.keys(extraColumns).length > 0) this.extras.set(fact.fact_uid, { ...extraColumns });
    this.maxUid = Math.max(
      this.maxUid,
      fact.fact_uid,
      fact.lh_object_uid,
      fact.rh_object_uid,
      fact.rel_type_uid,
      fact.uom_uid ?? 0,
      fact.collection_uid ?? 0,
    );
    if (this.sealed) {
      const uidOf = this.factUidOf;
      this.byLeft.add(fact.lh_object_uid, row, uidOf);
      this.byRight.add(fact.rh_object_uid, row, uidOf);
      this.byRelationType.add(fact.rel_type_uid, row, uidOf);
      this.indexStructuralRight(fact.rh_object_uid, row);
      this.linkName(this.leftName.get(row), fact.lh_object_uid);
      this.linkName(this.rightName.get(row), fact.rh_object_uid);
    }
  }

  /** Builds the indexes and the specialization hierarchy over the appended rows (once). */
  seal(): void {
    if (this.sealed) return;
    const count = this.count;
    const { factUidOf, leftUid, rightUid, relationType, leftName, rightName } = this;
    this.byLeft.build(count, (row) => leftUid.get(row), factUidOf);
    this.byRight.build(count, (row) => rightUid.get(row), factUidOf);
    this.byRelationType.build(count, (row) => relationType.get(row), factUidOf);
    for (let row = 0; row < count; row++) {
      this.linkName(leftName.get(row), leftUid.get(row));
      this.linkName(rightName.get(row), rightUid.get(row));
    }
    this.sealed = true;
    const hierarchy = new SpecializationHierarchy(this);
    this.hierarchyOfStore = hierarchy;
    this.natureConesOfStore = {
      qualification: hierarchy.cone(RelationType.QUALIFICATION),
      specialization: hierarchy.specializationTypes,
      classification: hierarchy.cone(RelationType.CLASSIFICATION),
    };
    this.buildStructuralRight(count);
  }

  /** The structural right-object lists of the entities with many rows on the right (once, at seal). */
  private buildStructuralRight(count: number): void {
    const { rightUid, byRight, splitRight } = this;
    for (let row = 0; row < count; row++) {
      const uid = rightUid.get(row);
      if (!splitRight.has(uid) && byRight.countOf(uid) >= STRUCTURAL_SPLIT_MIN_ROWS) splitRight.add(uid);
    }
    this.byRightStructural.build(
      count,
      (row) => {
        const uid = rightUid.get(row);
        return splitRight.has(uid) && !this.isSubtypeOrInstanceRow(uid, row) ? uid : NaN;
      },
      this.factUidOf,
    );
  }

  /**
   * Keeps the structural right-object list of `uid` right for a row added after seal:
   * a split entity's list takes the row unless it is a subtype or instance row; an
   * entity whose right-object list reaches STRUCTURAL_SPLIT_MIN_ROWS gets its list now.
   */
  private indexStructuralRight(uid: number, row: number): void {
    const uidOf = this.factUidOf;
    if (this.splitRight.has(uid)) {
      if (!this.isSubtypeOrInstanceRow(uid, row)) this.byRightStructural.add(uid, row, uidOf);
      return;
    }
    if (this.byRight.countOf(uid) < STRUCTURAL_SPLIT_MIN_ROWS) return;
    this.splitRight.add(uid);
    const rows = this.byRight.rowsOf(uid);
    for (let i = 0; i < rows.length; i++) {
      if (!this.isSubtypeOrInstanceRow(uid, rows[i]!)) this.byRightStructural.add(uid, rows[i]!, uidOf);
    }
  }

  /** Rows with uid as right object that may be structural (a superset of them), in fact uid order. */
  private structuralRightRows(uid: number): ArrayLike<number> {
    return this.splitRight.has(uid) ? this.byRightStructural.rowsOf(uid) : this.byRight.rowsOf(uid);
  }

  /**
   * Adds new facts (a POST /fact/facts submission, checked by the caller): all are
   * indexed, specialization facts join the hierarchy. Throws, adding nothing, when
   * a fact uid is already taken.
   */
  add(facts: readonly Fact[]): void {
    if (!this.sealed) throw new Error('FactStore.add: not sealed');
    const uids = new Set<number>();
    for (const fact of facts) {
      if (this.rowOfFactUid.has(fact.fact_uid) || uids.has(fact.fact_uid)) {
        throw new Error(`duplicate fact uid ${fact.fact_uid}`);
      }
      uids.add(fact.fact_uid);
    }
    for (const fact of facts) {
      this.append(fact);
      this.hierarchy.add(this.count - 1);
    }
  }

  // ---- rows (the RowGraph the hierarchy reads) ----

  private readonly factUidOf = (row: number): number => this.factUid.get(row);

  rowsWithLeft(uid: number): ArrayLike<number> {
    return this.byLeft.rowsOf(uid);
  }

  rowsWithRight(uid: number): ArrayLike<number> {
    return this.byRight.rowsOf(uid);
  }

  rowsOfRelationType(relTypeUid: number): ArrayLike<number> {
    return this.byRelationType.rowsOf(relTypeUid);
  }

  factUidAt(row: number): number {
    return this.factUid.get(row);
  }

  leftUidAt(row: number): number {
    return this.leftUid.get(row);
  }

  rightUidAt(row: number): number {
    return this.rightUid.get(row);
  }

  relationTypeAt(row: number): number {
    return this.relationType.get(row);
  }

  /** The fact of a row as answered: a new object, fields in the order of the Fact interface. */
  factAt(row: number): Fact {
    const fact: Fact = {
      fact_uid: this.factUid.get(row),
      lh_object_uid: this.leftUid.get(row),
      lh_object_name: this.names.text(this.leftName.get(row)),
      rel_type_uid: this.relationType.get(row),
      rel_type_name: this.labels.text(this.relationName.get(row)),
      rh_object_uid: this.rightUid.get(row),
      rh_object_name: this.names.text(this.rightName.get(row)),
    };
    // Literal field names (no lookup by a variable key): this runs for every fact answered.
    const text = this.optionalText;
    const { labels } = this;
    let id = text.partial_definition?.get(row) ?? 0;
    if (id !== 0) fact.partial_definition = this.definitions.partial_definition.text(id);
    id = text.full_definition?.get(row) ?? 0;
    if (id !== 0) fact.full_definition = this.definitions.full_definition.text(id);
    const uom = this.uomUid?.get(row);
    if (uom !== undefined && !Number.isNaN(uom)) fact.uom_uid = uom;
    id = text.uom_name?.get(row) ?? 0;
    if (id !== 0) fact.uom_name = labels.text(id);
    const collection = this.collectionUid?.get(row);
    if (collection !== undefined && !Number.isNaN(collection)) fact.collection_uid = collection;
    id = text.collection_name?.get(row) ?? 0;
    if (id !== 0) fact.collection_name = labels.text(id);
    id = text.approval_status?.get(row) ?? 0;
    if (id !== 0) fact.approval_status = labels.text(id);
    id = text.effective_from?.get(row) ?? 0;
    if (id !== 0) fact.effective_from = labels.text(id);
    id = text.latest_update?.get(row) ?? 0;
    if (id !== 0) fact.latest_update = labels.text(id);
    id = text.author?.get(row) ?? 0;
    if (id !== 0) fact.author = labels.text(id);
    return fact;
  }

  /** Sets an optional text of a row ("" clears it); the column is made on first use. */
  private setText(row: number, field: OptionalTextField, text: string): void {
    const id =
      field === 'partial_definition' || field === 'full_definition'
        ? this.definitions[field].idOf(text)
        : this.labelId(field, text);
    const column = this.optionalText[field];
    if (column) column.set(row, id);
    else if (id !== 0) (this.optionalText[field] = new Int32Column()).set(row, id);
  }

  private labelId(field: LabelField | 'rel_type_name', text: string): number {
    const last = this.lastLabel.get(field);
    if (last && last.text === text) return last.id;
    const id = this.labels.idOf(text);
    const own = this.labels.text(id); // the table's copy: a parser's field may pin the chunk it came from
    if (last) {
      last.text = own;
      last.id = id;
    } else this.lastLabel.set(field, { text: own, id });
    return id;
  }

  private facts(rows: ArrayLike<number>): Fact[] {
    const facts = new Array<Fact>(rows.length);
    for (let i = 0; i < rows.length; i++) facts[i] = this.factAt(rows[i]!);
    return facts;
  }

  /** The relation types of rows, read lazily each time the answer is iterated. */
  private relationTypesOf(rows: ArrayLike<number>): Iterable<number> {
    const types = this.relationType;
    return {
      *[Symbol.iterator]() {
        for (let i = 0; i < rows.length; i++) yield types.get(rows[i]!);
      },
    };
  }

  private filterRows(rows: ArrayLike<number>, keep: (row: number) => boolean): number[] {
    const kept: number[] = [];
    for (let i = 0; i < rows.length; i++) if (keep(rows[i]!)) kept.push(rows[i]!);
    return kept;
  }

  private sortByFactUid(rows: number[]): number[] {
    return rows.sort((a, b) => this.factUid.get(a) - this.factUid.get(b));
  }

  // ---- names (interned; search reads name id → uids → rows) ----

  private nameId(name: string): number {
    const before = this.names.size;
    const id = this.names.idOf(name);
    if (id !== before) return id;
    const lower = name.toLowerCase();
    if (lower !== name) {
      this.mixedCaseIds.add(id);
      const ids = this.mixedCaseNames.get(lower);
      if (ids) ids.push(id);
      else this.mixedCaseNames.set(lower, [id]);
    }
    return id;
  }

  /** Records that some fact gives `uid` the name `id` (on either side). */
  private linkName(id: number, uid: number): void {
    if (id === 0) return;
    const first = this.nameUid.get(id);
    if (Number.isNaN(first)) {
      this.nameUid.set(id, uid);
      return;
    }
    if (first === uid) return;
    const more = this.nameMoreUids.get(id);
    if (!more) this.nameMoreUids.set(id, [uid]);
    else if (!more.includes(uid)) more.push(uid);
  }

  /** Rows whose left or right object is named `id` (uids that once had the name are checked, not trusted). */
  private rowsNamed(id: number, into: Set<number>): void {
    const first = this.nameUid.get(id);
    if (Number.isNaN(first)) return;
    for (const uid of [first, ...(this.nameMoreUids.get(id) ?? [])]) {
      const left = this.byLeft.rowsOf(uid);
      for (let i = 0; i < left.length; i++) if (this.leftName.get(left[i]!) === id) into.add(left[i]!);
      const right = this.byRight.rowsOf(uid);
      for (let i = 0; i < right.length; i++) if (this.rightName.get(right[i]!) === id) into.add(right[i]!);
    }
  }

  // ---- the Archivist's questions ----

  /** The row of a fact uid (rows count from 0 in the order facts were appended). */
  rowOf(factUid: number): number | undefined {
    return factUid > this.maxFactUid ? undefined : this.rowOfFactUid.get(factUid);
  }

  fact(factUid: number): Fact | undefined {
    const row = this.rowOfFactUid.get(factUid);
    return row === undefined ? undefined : this.factAt(row);
  }

  /** Table columns the Fact does not map, kept as-is, for one fact. */
  extraColumns(factUid: number): Readonly<Record<string, string>> {
    return this.extras.get(factUid) ?? {};
  }

  factsWithLeft(uid: number): Fact[] {
    return this.facts(this.rowsWithLeft(uid));
  }

  factsWithRight(uid: number): Fact[] {
    return this.facts(this.rowsWithRight(uid));
  }

  factsOfRelationType(relTypeUid: number): Fact[] {
    return this.facts(this.rowsOfRelationType(relTypeUid));
  }

  /** An entity is known when some fact has it as left or right object. */
  isKnownEntity(uid: number): boolean {
    return this.byLeft.has(uid) || this.byRight.has(uid);
  }

  /** rel_type_uid and all its subtypes. */
  relationTypeCone(relTypeUid: number): ReadonlySet<number> {
    return this.hierarchy.cone(relTypeUid);
  }

  /** Nature of a known entity; undefined for an unknown uid. */
  nature(uid: number): EntityNature | undefined {
    if (!this.isKnownEntity(uid)) return undefined;
    return natureOf(
      uid,
      this.relationTypesOf(this.rowsWithLeft(uid)),
      this.relationTypesOf(this.rowsWithRight(uid)),
      this.natureCones,
    );
  }

  /** Category of a known entity (an individual's through its classifiers); undefined for an unknown uid. */
  category(uid: number): CategoryName | undefined {
    const nature = this.nature(uid);
    if (nature === undefined) return undefined;
    const start = nature === 'individual' ? this.classifiersOf(uid) : [uid];
    return categoryOf(start, (entity) => this.hierarchy.supertypesOf(entity));
  }

  /** The right objects of uid's classification facts (1225 cone, uid on the left): the kinds it is an instance of. */
  private classifiersOf(uid: number): number[] {
    const { classification } = this.natureCones;
    return this.filterRows(this.rowsWithLeft(uid), (row) => classification.has(this.relationType.get(row))).map((row) =>
      this.rightUid.get(row),
    );
  }

  /** The entity's specialization, qualification and classification facts (entity on the left). */
  definitiveFacts(uid: number): Fact[] {
    const { specialization, classification } = this.natureCones;
    return this.facts(
      this.filterRows(this.rowsWithLeft(uid), (row) => {
        const type = this.relationType.get(row);
        return specialization.has(type) || classification.has(type);
      }),
    );
  }

  /**
   * Facts with uid as left or right object (depth 1); each further level adds the
   * facts of the objects reached. Sorted by fact uid, each fact once.
   */
  allRelatedFacts(uid: number, depth = 1): Fact[] {
    if (depth <= 1) {
      return this.facts(this.mergedRelated(uid, this.rowsWithRight(uid), 0, Number.MAX_SAFE_INTEGER, () => true));
    }
    const found = new Set<number>();
    const reached = new Set<number>([uid]);
    let frontier = [uid];
    for (let level = 0; level < Math.min(depth, MAX_RELATED_DEPTH) && frontier.length > 0; level++) {
      const next: number[] = [];
      for (const entity of frontier) {
        for (const rows of [this.rowsWithLeft(entity), this.rowsWithRight(entity)]) {
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!;
            if (found.has(row)) continue;
            found.add(row);
            for (const other of [this.leftUid.get(row), this.rightUid.get(row)]) {
              if (!reached.has(other)) {
                reached.add(other);
                next.push(other);
              }
            }
          }
        }
      }
      frontier = next;
    }
    return this.facts(this.sortByFactUid([...found]));
  }

  /** Number of facts with uid as left or right object (each once). */
  relatedCount(uid: number): number {
    const left = this.rowsWithLeft(uid);
    let both = 0;
    for (let i = 0; i < left.length; i++) if (this.rightUid.get(left[i]!) === uid) both++;
    return left.length + this.rowsWithRight(uid).length - both;
  }

  /**
   * A page of allRelatedFacts (depth 1): the first `limit` facts with fact_uid > after,
   * ordered by fact uid; `total` counts all of them. With `structural`, the
   * specialization and classification facts of uid's subtypes and instances (uid on
   * the right) are left out of the items (not of the total); they are not walked
   * either, for an entity with many of them (see STRUCTURAL_SPLIT_MIN_ROWS).
   */
  relatedFactsPage(
    uid: number,
    { after = 0, limit = Number.MAX_SAFE_INTEGER, structural = false }: RelatedPageOptions = {},
  ): { items: Fact[]; total: number } {
    const rows = structural
      ? this.mergedRelated(
          uid,
          this.structuralRightRows(uid),
          after,
          limit,
          (row) => !this.isSubtypeOrInstanceRow(uid, row),
        )
      : this.mergedRelated(uid, this.rowsWithRight(uid), after, limit, () => true);
    return { items: this.facts(rows), total: this.relatedCount(uid) };
  }

  /** Index of the first row with fact uid > after in a list ordered by fact uid. */
  private firstAfter(rows: ArrayLike<number>, after: number): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.factUid.get(rows[mid]!) <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Up to `limit` rows with uid as left object or in `right` (rows with uid as right
   * object, in fact uid order) and fact_uid > after that `keep` accepts, in fact uid
   * order, each once: a merge of the two sorted lists from a binary search, so a page
   * costs its size (plus what `keep` skips).
   */
  private mergedRelated(
    uid: number,
    right: ArrayLike<number>,
    after: number,
    limit: number,
    keep: (row: number) => boolean,
  ): number[] {
    const left = this.rowsWithLeft(uid);
    let i = this.firstAfter(left, after);
    let j = this.firstAfter(right, after);
    const out: number[] = [];
    while (out.length < limit && (i < left.length || j < right.length)) {
      let row: number;
      if (j >= right.length || (i < left.length && this.factUid.get(left[i]!) <= this.factUid.get(right[j]!))) {
        row = left[i++]!;
        if (j < right.length && right[j] === row) j++; // uid on both sides: once
      } else {
        row = right[j++]!;
      }
      if (keep(row)) out.push(row);
    }
    return out;
  }

  private isSubtypeOrInstanceRow(uid: number, row: number): boolean {
    if (this.rightUid.get(row) !== uid || this.leftUid.get(row) === uid) return false;
    const { specialization, classification } = this.natureCones;
    const type = this.relationType.get(row);
    return specialization.has(type) || classification.has(type);
  }

  /**
   * The entities a model of uid is built from besides uid itself: its supertypes at
   * any depth (specialization hierarchy, qualifications included), breadth first,
   * nearest first, each once; for an entity without supertypes (an individual), its
   * classifiers (1225-cone facts with it on the left) and their supertypes at any
   * depth. At most `max` uids (cycles in bad data end the walk too).
   */
  ancestry(uid: number, max = MAX_ANCESTRY): number[] {
    const { hierarchy } = this;
    const supertypes = hierarchy.supertypesOf(uid);
    // Fresh arrays: the walk appends to its queue.
    const queue = supertypes.length > 0 ? supertypes : this.classifiersOf(uid);
    const seen = new Set<number>([uid]);
    const order: number[] = [];
    for (let i = 0; i < queue.length && order.length < max; i++) {
      const next = queue[i]!;
      if (seen.has(next)) continue;
      seen.add(next);
      order.push(next);
      queue.push(...hierarchy.supertypesOf(next));
    }
    return order;
  }

  /** Facts with lhObjectUid on the left whose relation type is in the cone of relTypeUid. */
  relatedOnSubtypeCone(lhObjectUid: number, relTypeUid: number): Fact[] {
    const cone = this.relationTypeCone(relTypeUid);
    return this.facts(this.filterRows(this.rowsWithLeft(lhObjectUid), (row) => cone.has(this.relationType.get(row))));
  }

  /** Specialization facts of every descendant of uid, breadth first. */
  subtypesCone(uid: number): Fact[] {
    return this.hierarchy.subtypesConeFacts(uid);
  }

  /** Classification facts (1225 cone) whose right object is uid. */
  classified(uid: number): Fact[] {
    const { classification } = this.natureCones;
    return this.facts(
      this.filterRows(this.rowsWithRight(uid), (row) => classification.has(this.relationType.get(row))),
    );
  }

  /**
   * Facts whose left or right object name matches the term, case-insensitively:
   * equal to it when exact, containing it otherwise. Sorted by fact uid.
   */
  search(term: string, exact: boolean): Fact[] {
    const needle = term.trim().toLowerCase();
    const rows = new Set<number>();
    if (exact) {
      const id = needle === '' ? undefined : this.names.existingId(needle);
      if (id !== undefined) this.rowsNamed(id, rows);
      for (const mixed of this.mixedCaseNames.get(needle) ?? []) this.rowsNamed(mixed, rows);
    } else {
      for (let id = 1; id < this.names.size; id++) {
        if (!this.mixedCaseIds.has(id) && this.names.text(id).includes(needle)) this.rowsNamed(id, rows);
      }
      for (const [lower, ids] of this.mixedCaseNames) {
        if (lower.includes(needle)) for (const id of ids) this.rowsNamed(id, rows);
      }
    }
    return this.facts(this.sortByFactUid([...rows]));
  }

  // ---- submissions ----

  /** Sets or (with "") removes the definitions of one fact. */
  setDefinition(factUid: number, partialDefinition: string, fullDefinition: string): Fact | undefined {
    const row = this.rowOfFactUid.get(factUid);
    if (row === undefined) return undefined;
    this.setText(row, 'partial_definition', partialDefinition);
    this.setText(row, 'full_definition', fullDefinition);
    return this.factAt(row);
  }

  /** Puts one fact in a collection. */
  setCollection(factUid: number, collectionUid: number, collectionName: string): Fact | undefined {
    const row = this.rowOfFactUid.get(factUid);
    if (row === undefined) return undefined;
    (this.collectionUid ??= new Float64Column()).set(row, collectionUid);
    this.setText(row, 'collection_name', collectionName);
    return this.factAt(row);
  }

  /**
   * Renames the left object of a fact. The new name replaces the old one wherever
   * that uid appears (left or right) under the old name, so the graph stays
   * consistent while synonyms and inverse phrases (other names of the same uid)
   * are kept.
   */
  rename(factUid: number, name: string): Fact | undefined {
    const row = this.rowOfFactUid.get(factUid);
    if (row === undefined) return undefined;
    const uid = this.leftUid.get(row);
    const oldId = this.leftName.get(row);
    const newId = this.nameId(name);
    const left = this.rowsWithLeft(uid);
    for (let i = 0; i < left.length; i++) if (this.leftName.get(left[i]!) === oldId) this.leftName.set(left[i]!, newId);
    const right = this.rowsWithRight(uid);
    for (let i = 0; i < right.length; i++) {
      if (this.rightName.get(right[i]!) === oldId) this.rightName.set(right[i]!, newId);
    }
    this.linkName(newId, uid);
    return this.factAt(row);
  }
}
