import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NewFact } from '../archivist/archivist-wire.js';
import { checkPatterns, PlannedGraph, type WorkflowGraph } from './workflow-graph.js';
import { parsePattern, PatternError } from './workflow-pattern.js';

describe('pattern notation', () => {
  test('fields, unnamed variables and known entities; the relation uid and phrase', () => {
    const p = parsePattern('?3.qualitative aspect > 1726.is a qualitative subtype of > ?2');
    assert.deepEqual(p.left, { kind: 'field', name: 'qualitative aspect', text: '?3.qualitative aspect' });
    assert.deepEqual(p.relation, { uid: 1726, phrase: 'is a qualitative subtype of' });
    assert.deepEqual(p.right, { kind: 'variable', id: '2', text: '?2' });
    assert.deepEqual(parsePattern('?2 > 1146 > 790229').right, {
      kind: 'entity',
      uid: 790229,
      name: '',
      text: '790229',
    });
    assert.throws(() => parsePattern('a > b'), PatternError);
    assert.throws(() => parsePattern('?1.x > is > 2'), /relation must be/);
    assert.throws(() => parsePattern('x > 1146 > 2'), /neither/);
  });
});

/** 1010 < 1020 < 1030 (1146), 1040 a qualitative subtype (1726) of 1020. */
const base: WorkflowGraph = {
  entity: async (uid) => ([1010, 1020, 1030, 1040].includes(uid) ? { uid, name: `e${uid}` } : null),
  lineage: async (uid) => ({ 1010: [1020, 1030], 1020: [1030], 1040: [1020, 1030] })[uid] ?? [],
  related: async (uid, rel) => (uid === 1040 && rel === 1726 ? [1020] : []),
};

const planned: NewFact[] = [
  {
    lh_object_uid: 1,
    lh_object_name: 'new',
    rel_type_uid: 1726,
    rel_type_name: 'is a qualitative subtype of',
    rh_object_uid: 1010,
    rh_object_name: 'e10',
  },
];

describe('PlannedGraph and checkPatterns', () => {
  test('a new entity (temporary uid) takes its supertypes and relations from the planned facts, then the graph', async () => {
    const graph = new PlannedGraph(base, planned);
    assert.deepEqual(await graph.entity(1), { uid: 1, name: 'new' });
    assert.equal(await graph.entity(2), null);
    assert.deepEqual([...(await graph.lineage(1))].sort(), [1010, 1020, 1030]);
    assert.deepEqual(await graph.related(1, 1726), [1010]);
    assert.deepEqual(await graph.related(1040, 1726), [1020]);
  });

  test('groups joined by an unnamed variable are solved together; a group naming an empty field waits', async () => {
    const holds = [parsePattern('?2 > 1146 > 1030'), parsePattern('?3.q > 1726 > ?2')];
    const graph = new PlannedGraph(base, planned);
    const values = (q: number | undefined) => (field: string) => (field === 'q' ? q : undefined);
    assert.equal(await checkPatterns(holds, values(1040), graph), null);
    assert.equal(await checkPatterns(holds, values(1), graph), null, 'through the planned fact');
    const failure = await checkPatterns(holds, values(1010), graph);
    assert.deepEqual(
      failure?.patterns.map((p) => p.text),
      ['?2 > 1146 > 1030', '?3.q > 1726 > ?2'],
    );
    assert.equal(await checkPatterns(holds, values(undefined), graph), null, 'not checked yet');
    // `only` restricts to the groups naming that field
    const other = [parsePattern('?1.s > 1146 > 1020')];
    const sValue = (field: string) => (field === 's' ? 1030 : undefined);
    assert.equal(await checkPatterns(other, sValue, graph, 'q'), null);
    assert.notEqual(await checkPatterns(other, sValue, graph, 's'), null);
    // 1146 holds for the entity itself (a root is its own category)
    assert.equal(await checkPatterns([parsePattern('?1.s > 1146 > 1030')], sValue, graph), null);
  });
});
