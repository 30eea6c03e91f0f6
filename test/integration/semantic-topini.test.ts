import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fact } from '../../src/gellish/fact.js';
import { SemanticModelEngine } from '../../src/semantic/semantic-model-engine.js';
import type { KindModel } from '../../src/semantic/model-types.js';
import { InMemoryFactSource } from '../support/in-memory-fact-source.js';
import { loadTopini } from '../support/gellish-tables.js';

const loaded = await loadTopini();
const skip = 'skip' in loaded ? loaded.skip : false;
if (skip) process.stdout.write(`# skipping TOPini tests: ${skip}\n`);
const facts: Fact[] = 'facts' in loaded ? loaded.facts : [];

/** Independent reading of the file: nature and category of every left object. */
function expectedNatureAndCategory(): Map<number, { nature: string; category: string }> {
  const supers = new Map<number, number[]>();
  for (const f of facts) {
    if (f.rel_type_uid !== 1146) continue;
    supers.set(f.lh_object_uid, [...(supers.get(f.lh_object_uid) ?? []), f.rh_object_uid]);
  }
  const subtyped = new Set(facts.filter((f) => f.rel_type_uid === 1146).map((f) => f.rh_object_uid));
  const roots: Array<[number, string]> = [
    [730044, 'physical object'],
    [160170, 'role'],
    [790229, 'aspect'],
    [193671, 'occurrence'],
    [2850, 'relation'],
  ];
  const out = new Map<number, { nature: string; category: string }>();
  for (const uid of new Set(facts.map((f) => f.lh_object_uid))) {
    const lineage = new Set<number>([uid]);
    const stack = [uid];
    while (stack.length > 0) {
      for (const s of supers.get(stack.pop() as number) ?? []) {
        if (lineage.has(s)) continue;
        lineage.add(s);
        stack.push(s);
      }
    }
    // Spec §5: 730000 is the root kind; a concept with supertypes or subtypes is a kind.
    const nature = uid === 730000 || supers.has(uid) || subtyped.has(uid) ? 'kind' : 'anything';
    out.set(uid, { nature, category: roots.find(([r]) => lineage.has(r))?.[1] ?? 'anything' });
  }
  return out;
}

describe('TOPini', { skip }, () => {
  let source: InMemoryFactSource;
  let engine: SemanticModelEngine;
  before(async () => {
    source = new InMemoryFactSource(facts);
    engine = new SemanticModelEngine(source);
    await engine.relationHierarchy();
  });

  test('nature and category of all 2,045 concepts; every model builds', async () => {
    const expected = expectedNatureAndCategory();
    assert.equal(expected.size, 2045);
    assert.deepStrictEqual(expected.get(730000), { nature: 'kind', category: 'anything' });
    const uids = [...expected.keys()];
    const models = await engine.getBatch(uids, { includeFacts: false, concurrency: 16 });
    models.forEach((m, i) => {
      assert.ok(m, `model of ${uids[i]}`);
      assert.deepStrictEqual({ nature: m.nature, category: m.category }, expected.get(uids[i]), `uid ${uids[i]}`);
    });
  });

  test('1727 requires 4290 possessor of an aspect and 4289 intrinsic aspect', async () => {
    const m = await engine.getCategoryModel(1727, 'relation', { includeFacts: false });
    assert.equal(m.category, 'relation');
    if (m.category !== 'relation') return;
    assert.deepStrictEqual(m.requiredRole1, {
      uid: 4290,
      name: 'possessor of an aspect',
      relation_uid: 4731,
      fact_uid: 1003846,
    });
    assert.deepStrictEqual(m.requiredRole2, {
      uid: 4289,
      name: 'intrinsic aspect',
      relation_uid: 4733,
      fact_uid: 1003477,
    });
    assert.deepStrictEqual(m.inverseRelation, { uid: 1727, name: 'is an aspect of' });
    assert.deepStrictEqual((m as KindModel)['1981'], ['has aspect', 'has as aspect']);
  });

  test('role 4290 lists the relations requiring it and the kinds that can play it', async () => {
    const m = await engine.getCategoryModel(4290, 'role', { includeFacts: false });
    if (m.category !== 'role') return assert.fail('not a role');
    const requiring = facts
      .filter((f) => f.rh_object_uid === 4290 && (f.rel_type_uid === 4731 || f.rel_type_uid === 4733))
      .map((f) => ({ uid: f.lh_object_uid, role_position: f.rel_type_uid === 4731 ? 1 : 2 }));
    assert.ok(requiring.length > 0);
    assert.deepStrictEqual(
      m.requiredInRelations.map((r) => ({ uid: r.uid, role_position: r.role_position })),
      requiring,
    );
    assert.deepStrictEqual(
      m.rolePlayers.map((r) => r.uid),
      [730067],
    );
  });

  test('physical object: synonyms and roles inherited with their source', async () => {
    const m = await engine.getKindModel(730044, { includeFacts: false });
    assert.deepStrictEqual(m.synonyms, ['physical thing']);
    assert.deepStrictEqual(m.supertypes, [1394]);
    if (m.category !== 'physical object') return assert.fail('category');
    const possessor = m.roles.find((r) => r.uid === 4290);
    assert.deepStrictEqual(possessor, {
      uid: 4290,
      name: 'possessor of an aspect',
      relation_uid: 4714,
      fact_uid: 1001429,
      inherited: true,
      from: 730067,
    });
    const guarded = m.roles.find((r) => r.uid === 3819);
    assert.equal(guarded?.from, 730000);
    // In the order the Archivist answers facts: by fact uid (TOPini's rows are not in that order).
    const own = facts
      .filter((f) => f.lh_object_uid === 730044 && f.rel_type_uid === 4714)
      .sort((a, b) => a.fact_uid - b.fact_uid)
      .map((f) => f.rh_object_uid);
    assert.deepStrictEqual(
      m.roles.filter((r) => !r.inherited).map((r) => r.uid),
      own,
    );
    assert.equal(new Set(m.roles.map((r) => r.uid)).size, m.roles.length);
  });

  test('a 4731 fact worded with the role-2 phrase is classified by its relation type', async () => {
    const odd = facts.find((f) => f.rel_type_uid === 4731 && f.rel_type_name === 'requires a role-2 as a');
    assert.ok(odd);
    const m = await engine.getModel(odd.lh_object_uid, { includeFacts: false });
    assert.ok((m as KindModel)['4731'].includes(odd.rh_object_uid));
    assert.ok(!(m as KindModel)['4733'].includes(odd.rh_object_uid));
  });

  test('at most 3 FactSource calls per model on average over 100 kinds', async () => {
    const fresh = new InMemoryFactSource(facts);
    const eng = new SemanticModelEngine(fresh);
    await eng.relationHierarchy();
    fresh.resetCounts();
    const kinds = [...new Set(facts.filter((f) => f.rel_type_uid === 1146).map((f) => f.lh_object_uid))];
    const sample = kinds.filter((_, i) => i % Math.floor(kinds.length / 100) === 0).slice(0, 100);
    assert.equal(sample.length, 100);
    for (const uid of sample) await eng.getModel(uid, { includeFacts: false });
    const perModel = fresh.totalCalls / sample.length;
    process.stdout.write(`# FactSource calls per model: ${perModel.toFixed(2)}\n`);
    assert.ok(perModel <= 3, `calls per model ${perModel}`);
  });
});
