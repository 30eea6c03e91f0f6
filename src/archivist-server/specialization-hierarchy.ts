import type { Fact } from '../gellish/fact.js';
import { RelationType } from '../gellish/gellish-uids.js';

/** What the hierarchy reads of the fact store: rows (fact positions) by object and relation type. */
export interface RowGraph {
  /** Rows so far (rows are numbered 0, 1, … in the order facts were added). */
  readonly size: number;
  /** Rows with uid as left object, in fact uid order. */
  rowsWithLeft(uid: number): ArrayLike<number>;
  /** Rows with uid as right object, in fact uid order. */
  rowsWithRight(uid: number): ArrayLike<number>;
  rowsOfRelationType(relTypeUid: number): ArrayLike<number>;
  leftUidAt(row: number): number;
  rightUidAt(row: number): number;
  relationTypeAt(row: number): number;
  /** The fact of a row, as answered. */
  factAt(row: number): Fact;
}

/**
 * The specialization hierarchy of one graph: every fact whose relation type lies
 * in the 1146 cone (1146 itself and its subtypes, qualification 1726 among them)
 * links a subtype (left) to a supertype (right). The edges are the store's own
 * left/right index lists filtered by relation type (no copy of them); walks visit
 * only the part of the hierarchy they answer about and tolerate cycles in bad data.
 */
export class SpecializationHierarchy {
  private readonly coneCache = new Map<number, ReadonlySet<number>>();
  /** Relation types that are 1146 or one of its subtypes. */
  readonly specializationTypes: ReadonlySet<number>;
  private readonly types: Set<number>;
  /** Rows the graph had when the hierarchy was built (the loaded tables). */
  private readonly loadedRows: number;
  /** Each specialization type's place in the order the cone was found (1146 first). */
  private readonly typeRank = new Map<number, number>();

  constructor(private readonly graph: RowGraph) {
    this.loadedRows = graph.size;
    // The 1146 cone is defined by the facts of the cone itself: grow it to a fixed point.
    const types = new Set<number>();
    this.specializationTypes = this.types = types;
    let frontier = [RelationType.SPECIALIZATION as number];
    while (frontier.length > 0) {
      for (const type of frontier) this.addType(type);
      frontier = [...this.descendantUids(RelationType.SPECIALIZATION)].filter((uid) => !types.has(uid));
    }
  }

  /**
   * Takes in a row added to the store after load. A specialization fact becomes an
   * edge, and every cached cone holding its supertype grows by the new subtype and its
   * descendants (in place: holders of a cone see it grow). A new subtype of a
   * specialization relation type brings its own facts into the hierarchy.
   */
  add(row: number): void {
    const { graph } = this;
    if (!this.types.has(graph.relationTypeAt(row))) return;
    const subtype = graph.leftUidAt(row);
    const supertype = graph.rightUidAt(row);
    const grown = [subtype, ...this.descendantUids(subtype)];
    for (const [root, cone] of this.coneCache) {
      if (root === supertype || cone.has(supertype)) {
        for (const uid of grown) (cone as Set<number>).add(uid);
      }
    }
    for (const uid of grown) {
      if (this.types.has(uid) || !this.cone(RelationType.SPECIALIZATION).has(uid)) continue;
      this.addType(uid);
      const typed = graph.rowsOfRelationType(uid);
      for (let i = 0; i < typed.length; i++) this.add(typed[i]!);
    }
  }

  private addType(type: number): void {
    this.types.add(type);
    this.typeRank.set(type, this.typeRank.size);
  }

  /** Rows of specialization facts with uid as the subtype (left object), in edge order (see edgeOrder). */
  supertypeRowsOf(uid: number): number[] {
    return this.edgeOrder(this.specializationRows(this.graph.rowsWithLeft(uid)));
  }

  /** Rows of specialization facts with uid as the supertype (right object), in edge order (see edgeOrder). */
  subtypeRowsOf(uid: number): number[] {
    return this.edgeOrder(this.specializationRows(this.graph.rowsWithRight(uid)));
  }

  private specializationRows(rows: ArrayLike<number>): number[] {
    const found: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (this.types.has(this.graph.relationTypeAt(rows[i]!))) found.push(rows[i]!);
    }
    return found;
  }

  /**
   * The order in which the hierarchy has always listed an entity's edges (and so the
   * order of subtypesCone answers): loaded facts by relation type in the order the 1146
   * cone was found (1146 first), then in table order; facts added later after them, in
   * the order they were added. The index lists are in fact uid order: most lists (one
   * type, a table in fact uid order) need no sorting, which is checked first.
   */
  private edgeOrder(rows: number[]): number[] {
    const rank = (row: number): number =>
      row < this.loadedRows ? (this.typeRank.get(this.graph.relationTypeAt(row)) ?? 0) : Number.MAX_SAFE_INTEGER;
    const before = (a: number, b: number): number => rank(a) - rank(b) || a - b;
    for (let i = 1; i < rows.length; i++) {
      if (before(rows[i - 1]!, rows[i]!) > 0) return rows.sort(before);
    }
    return rows;
  }

  /** Subtype uids of uid, in any order (for walks whose answer is a set). */
  private subtypeUidsOf(uid: number): number[] {
    return this.specializationRows(this.graph.rowsWithRight(uid)).map((row) => this.graph.leftUidAt(row));
  }

  /** Specialization facts with uid as the subtype (left object). */
  supertypeFactsOf(uid: number): Fact[] {
    return this.supertypeRowsOf(uid).map((row) => this.graph.factAt(row));
  }

  /** Specialization facts with uid as the supertype (right object). */
  subtypeFactsOf(uid: number): Fact[] {
    return this.subtypeRowsOf(uid).map((row) => this.graph.factAt(row));
  }

  /** Direct supertype uids of uid. */
  supertypesOf(uid: number): number[] {
    return this.supertypeRowsOf(uid).map((row) => this.graph.rightUidAt(row));
  }

  /** Every descendant of uid (not uid itself unless a cycle leads back to it). */
  descendantUids(uid: number): Set<number> {
    const seen = new Set<number>();
    const queue = [uid];
    for (let i = 0; i < queue.length; i++) {
      for (const subtype of this.subtypeUidsOf(queue[i]!)) {
        if (!seen.has(subtype)) {
          seen.add(subtype);
          queue.push(subtype);
        }
      }
    }
    return seen;
  }

  /**
   * The specialization facts of every descendant of uid, breadth first from uid:
   * each fact once, cost proportional to the answer.
   */
  subtypesConeFacts(uid: number): Fact[] {
    const visited = new Set<number>([uid]);
    const queue = [uid];
    const facts: Fact[] = [];
    for (let i = 0; i < queue.length; i++) {
      for (const row of this.subtypeRowsOf(queue[i]!)) {
        facts.push(this.graph.factAt(row));
        const subtype = this.graph.leftUidAt(row);
        if (!visited.has(subtype)) {
          visited.add(subtype);
          queue.push(subtype);
        }
      }
    }
    return facts;
  }

  /** uid and all its descendants: the cone of a relation type (cached; grown in place by add()). */
  cone(uid: number): ReadonlySet<number> {
    let cone = this.coneCache.get(uid);
    if (!cone) {
      const members = this.descendantUids(uid);
      members.add(uid);
      cone = members;
      this.coneCache.set(uid, cone);
    }
    return cone;
  }
}
