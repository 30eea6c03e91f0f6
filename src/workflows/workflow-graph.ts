import type { NewFact } from '../archivist/archivist-wire.js';
import { RelationType } from '../gellish/gellish-uids.js';
import type { Pattern, Term } from './workflow-pattern.js';
import { variablesOf } from './workflow-pattern.js';

/** Uids 1..100 stand for new entities in a submission (spec §6). */
export const TEMPORARY_UID_MAX = 100;

export const isTemporaryUid = (uid: number): boolean => uid >= 1 && uid <= TEMPORARY_UID_MAX;

/**
 * What the workflows ask of the knowledge graph (the port; WorkflowGraphAdapter
 * answers it from the semantic model service and the Archivist client).
 */
export interface WorkflowGraph {
  /** The entity's name, or null when the graph does not know it. */
  entity(uid: number): Promise<{ uid: number; name: string } | null>;
  /** Every entity `uid` is a specialization of, at any depth (1146 cone, qualifications included), without `uid`. */
  lineage(uid: number): Promise<readonly number[]>;
  /** Right objects of the facts with `uid` on the left whose relation type lies in the cone of `relationType`. */
  related(uid: number, relationType: number): Promise<readonly number[]>;
}

/** Relation types whose facts make their left object a subtype of their right one (for planned facts). */
const SPECIALIZING = new Set<number>([RelationType.SPECIALIZATION, RelationType.QUALIFICATION]);

/**
 * The graph plus the facts a workflow plans to create: a field filled by a child
 * workflow (a new entity, temporary uid) is checked against what the child will
 * create, e.g. a new qualitative aspect is a qualitative subtype of its conceptual aspect.
 */
export class PlannedGraph implements WorkflowGraph {
  constructor(
    private readonly base: WorkflowGraph,
    private readonly planned: readonly NewFact[],
  ) {}

  async entity(uid: number): Promise<{ uid: number; name: string } | null> {
    if (!isTemporaryUid(uid)) return this.base.entity(uid);
    const fact = this.planned.find((f) => f.lh_object_uid === uid || f.rh_object_uid === uid);
    if (!fact) return null;
    return { uid, name: fact.lh_object_uid === uid ? fact.lh_object_name : fact.rh_object_name };
  }

  async lineage(uid: number): Promise<readonly number[]> {
    const found = new Set<number>();
    const visit = async (u: number): Promise<void> => {
      const direct = [
        ...(isTemporaryUid(u) ? [] : await this.base.lineage(u)),
        ...this.planned
          .filter((f) => f.lh_object_uid === u && SPECIALIZING.has(f.rel_type_uid))
          .map((f) => f.rh_object_uid),
      ];
      for (const next of direct) {
        if (next === uid || found.has(next)) continue;
        found.add(next);
        await visit(next);
      }
    };
    await visit(uid);
    return [...found];
  }

  async related(uid: number, relationType: number): Promise<readonly number[]> {
    const planned = this.planned
      .filter((f) => f.lh_object_uid === uid && f.rel_type_uid === relationType)
      .map((f) => f.rh_object_uid);
    return isTemporaryUid(uid) ? planned : [...(await this.base.related(uid, relationType)), ...planned];
  }
}

/** A pattern group that does not hold, with the value it was checked with. */
export interface PatternFailure {
  patterns: Pattern[];
}

/**
 * Checks `holds` with the given field values, group by group (patterns sharing
 * an unnamed variable form one group). A group naming an empty field is not
 * checked yet; `only`, when given, restricts the check to the groups naming
 * that field. Answers the first group that does not hold, or null.
 */
export async function checkPatterns(
  holds: readonly Pattern[],
  value: (field: string) => number | undefined,
  graph: WorkflowGraph,
  only?: string,
): Promise<PatternFailure | null> {
  for (const group of groups(holds)) {
    const fields = group.flatMap((p) => [p.left, p.right]).filter((t) => t.kind === 'field');
    if (only !== undefined && !fields.some((t) => t.kind === 'field' && t.name === only)) continue;
    if (fields.some((t) => t.kind === 'field' && value(t.name) === undefined)) continue;
    if (!(await solve(group, new Map(), value, graph))) return { patterns: group };
  }
  return null;
}

function groups(patterns: readonly Pattern[]): Pattern[][] {
  const result: Pattern[][] = [];
  for (const p of patterns) {
    const vars = variablesOf(p);
    const joined = result.filter((g) => g.some((q) => variablesOf(q).some((v) => vars.includes(v))));
    const merged = [...joined.flat(), p];
    for (const g of joined) result.splice(result.indexOf(g), 1);
    result.push(merged);
  }
  return result;
}

function bound(term: Term, vars: ReadonlyMap<string, number>, value: (field: string) => number | undefined) {
  if (term.kind === 'entity') return term.uid;
  if (term.kind === 'field') return value(term.name);
  return vars.get(term.id);
}

async function solve(
  patterns: readonly Pattern[],
  vars: ReadonlyMap<string, number>,
  value: (field: string) => number | undefined,
  graph: WorkflowGraph,
): Promise<boolean> {
  if (patterns.length === 0) return true;
  const index = patterns.findIndex((p) => bound(p.left, vars, value) !== undefined);
  if (index < 0) return false;
  const p = patterns[index]!;
  const rest = patterns.filter((_, i) => i !== index);
  const left = bound(p.left, vars, value)!;
  const targets =
    p.relation.uid === RelationType.SPECIALIZATION
      ? [left, ...(await graph.lineage(left))]
      : await graph.related(left, p.relation.uid);
  const right = bound(p.right, vars, value);
  if (right !== undefined) return targets.includes(right) && solve(rest, vars, value, graph);
  if (p.right.kind !== 'variable') return false;
  for (const candidate of new Set(targets)) {
    if (await solve(rest, new Map(vars).set(p.right.id, candidate), value, graph)) return true;
  }
  return false;
}
