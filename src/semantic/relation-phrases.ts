import type { Fact } from '../gellish/fact.js';
import { Memo } from './memo.js';
import type { RelationHierarchy } from './relation-hierarchy.js';
import { PART_ROOTS, type PartKey } from './relation-parts.js';

export interface PhraseSets {
  /** Synonym phrases (1981-cone facts about the relation type): forward reading. */
  forward: ReadonlySet<string>;
  /** Inverse phrases (1986-cone facts about the relation type). */
  inverse: ReadonlySet<string>;
}

export interface PhraseMatch {
  part: PartKey;
  inverse: boolean;
}

const norm = (s: string): string => s.trim().toLowerCase();

/**
 * Phrases of relation types as the graph states them: 1981/1986 facts whose right
 * object is the relation type and whose left name is the phrase (TOPini stores both
 * sides as the relation type's uid). Read from the memoised facts of the relation type.
 */
export class RelationPhrases {
  private readonly sets: Memo<number, PhraseSets>;
  private rootTable: Promise<Map<string, PhraseMatch>> | undefined;

  constructor(
    facts: { get(uid: number): Promise<readonly Fact[]> },
    maxEntries: number,
    private readonly hierarchy: () => RelationHierarchy,
  ) {
    this.sets = new Memo(maxEntries, async (uid) => this.extract(uid, await facts.get(uid)));
  }

  phrasesOf(relTypeUid: number): Promise<PhraseSets> {
    return this.sets.get(relTypeUid);
  }

  private extract(relTypeUid: number, facts: readonly Fact[]): PhraseSets {
    const h = this.hierarchy();
    const forward = new Set<string>();
    const inverse = new Set<string>();
    for (const f of facts) {
      if (f.rh_object_uid !== relTypeUid) continue;
      const part = h.partOf(f.rel_type_uid);
      if (part === 'synonym') forward.add(norm(f.lh_object_name));
      else if (part === 'inverse') inverse.add(norm(f.lh_object_name));
    }
    return { forward, inverse };
  }

  /** True when the fact is worded with an inverse phrase of its own relation type. */
  async isInverselyStated(fact: Fact): Promise<boolean> {
    const { forward, inverse } = await this.phrasesOf(fact.rel_type_uid);
    const phrase = norm(fact.rel_type_name);
    return inverse.has(phrase) && !forward.has(phrase);
  }

  /** Fallback for relation types outside the hierarchy: match the phrases of the §5 roots. */
  async matchPhrase(phrase: string): Promise<PhraseMatch | null> {
    if (!this.rootTable) {
      const table = this.buildRootTable();
      this.rootTable = table;
      table.catch(() => {
        if (this.rootTable === table) this.rootTable = undefined;
      });
    }
    return (await this.rootTable).get(norm(phrase)) ?? null;
  }

  private async buildRootTable(): Promise<Map<string, PhraseMatch>> {
    const roots = [...new Set(PART_ROOTS.map((p) => p.root))];
    const sets = await Promise.all(roots.map((r) => this.phrasesOf(r)));
    const table = new Map<string, PhraseMatch>();
    roots.forEach((root, i) => {
      const part = this.hierarchy().partOf(root);
      if (!part) return;
      for (const p of sets[i].forward) if (!table.has(p)) table.set(p, { part, inverse: false });
      for (const p of sets[i].inverse) if (!table.has(p)) table.set(p, { part, inverse: true });
    });
    return table;
  }

  invalidate(uid: number): void {
    this.sets.delete(uid);
    if (PART_ROOTS.some((p) => p.root === uid)) this.rootTable = undefined;
  }

  clear(): void {
    this.sets.clear();
    this.rootTable = undefined;
  }
}
