import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fact } from '../../src/gellish/fact.js';
import { ClarityError } from '../../src/common/clarity-error.js';
import { SemanticModelEngine } from '../../src/semantic/semantic-model-engine.js';
import { InMemoryFactSource } from '../support/in-memory-fact-source.js';
import { kbPath, loadTable } from '../support/gellish-tables.js';

const kb = await loadTable(kbPath());
let nextFact = 9_000_000;
const fact = (l: number, ln: string, rel: number, phrase: string, r: number, rn: string): Fact => ({
  fact_uid: nextFact++,
  lh_object_uid: l,
  lh_object_name: ln,
  rel_type_uid: rel,
  rel_type_name: phrase,
  rh_object_uid: r,
  rh_object_name: rn,
});

describe('semantic model engine behaviour', () => {
  test('facts stated with an inverse phrase are read the other way round', async () => {
    const engine = new SemanticModelEngine(new InMemoryFactSource(kb));
    const mass = await engine.getModel(2100006, { includeFacts: false });
    if (mass.category !== 'aspect') return assert.fail('category');
    assert.deepStrictEqual(mass.possessors, [{ uid: 2100001, name: 'P-101', relation_uid: 1727, fact_uid: 3000283 }]);
    const motor = await engine.getModel(2100007, { includeFacts: false });
    if (motor.category !== 'physical object') return assert.fail('category');
    assert.deepStrictEqual(motor.roles, [
      { uid: 2100009, name: 'M-101 as driver', relation_uid: 4708, fact_uid: 3000288 },
    ]);
  });

  test('multiple supertypes: a diamond is walked once and inherited without duplicates', async () => {
    const engine = new SemanticModelEngine(new InMemoryFactSource(kb));
    const pump = await engine.getKindModel(2001001, { includeFacts: false });
    assert.deepStrictEqual(pump.supertypes, [2001004, 2001005]);
    if (pump.category !== 'physical object') return assert.fail('category');
    assert.deepStrictEqual(
      pump.aspects.map((a) => [a.uid, a.from]),
      [
        [2002002, undefined],
        [2002003, 2001000],
      ],
    );
  });

  test('a specialization cycle is cut with a warning', async () => {
    const warnings: string[] = [];
    const facts = [
      ...kb,
      fact(2009001, 'loop A', 1146, 'is a specialization of', 2009002, 'loop B'),
      fact(2009002, 'loop B', 1146, 'is a specialization of', 2009001, 'loop A'),
      fact(2009002, 'loop B', 1146, 'is a specialization of', 730044, 'physical object'),
    ];
    const engine = new SemanticModelEngine(new InMemoryFactSource(facts), {
      logger: { warn: (m) => warnings.push(m) },
    });
    const m = await engine.getModel(2009001, { includeFacts: false });
    assert.equal(m.category, 'physical object');
    assert.equal(m.warnings?.length, 1);
    assert.equal(warnings.length, 1);
  });

  test('a relation type outside the hierarchy falls back to its phrase and is reported', async () => {
    const odd = fact(2100001, 'P-101', 2009100, 'has as aspect', 2009101, 'noise level of P-101');
    const engine = new SemanticModelEngine(new InMemoryFactSource([...kb, odd]));
    const m = await engine.getModel(2100001, { includeFacts: false });
    assert.deepStrictEqual(m.unclassifiedFacts, [
      { fact_uid: odd.fact_uid, rel_type_uid: 2009100, rel_type_name: 'has as aspect', matched_part: 'aspect' },
    ]);
    if (m.category !== 'physical object') return assert.fail('category');
    assert.ok(m.aspects.some((a) => a.uid === 2009101));
  });

  test('730000 (anything) is the root kind of category anything; a concept known only as a supertype is a kind', async () => {
    const engine = new SemanticModelEngine(new InMemoryFactSource(kb));
    const root = await engine.getKindModel(730000, { includeFacts: false });
    assert.equal(root.nature, 'kind');
    assert.equal(root.category, 'anything');
    assert.deepStrictEqual(root.supertypes, []);
    // 2900001 has no fact of its own on the left, only a subtype (and a synonym): a kind, not "anything".
    const lone = new SemanticModelEngine(
      new InMemoryFactSource([
        ...kb,
        fact(2900002, 'special gadget', 1146, 'is a specialization of', 2900001, 'gadget'),
        fact(2900003, 'gizmo', 1981, 'is a synonym of', 2900001, 'gadget'),
        fact(2900004, 'thing without nature', 1981, 'is a synonym of', 2900005, 'nameless'),
      ]),
    );
    assert.equal((await lone.getModel(2900001, { includeFacts: false })).nature, 'kind');
    assert.equal((await lone.getModel(2900005, { includeFacts: false })).nature, 'anything');
  });

  test('an entity without facts is NOT_FOUND; wrong nature and category are refused', async () => {
    const engine = new SemanticModelEngine(new InMemoryFactSource(kb));
    await assert.rejects(
      engine.getModel(123),
      (e: unknown) =>
        e instanceof ClarityError && e.code === 'NOT_FOUND' && e.message === 'Entity with UID 123 not found',
    );
    await assert.rejects(
      engine.getKindModel(2100001),
      (e: unknown) => e instanceof ClarityError && e.code === 'WRONG_NATURE',
    );
    await assert.rejects(
      engine.getIndividualModel(2001001),
      (e: unknown) => e instanceof ClarityError && e.code === 'WRONG_NATURE',
    );
    await assert.rejects(
      engine.getCategoryModel(2100001, 'role'),
      (e: unknown) => e instanceof ClarityError && e.code === 'WRONG_CATEGORY',
    );
  });

  test('batch keeps order, gives null for unknown uids, fetches each uid once, bounds concurrency', async () => {
    const source = new InMemoryFactSource(kb);
    const engine = new SemanticModelEngine(source);
    await engine.relationHierarchy();
    source.resetCounts();
    const out = await engine.getBatch([2100001, 999, 2001001, 2100001], { concurrency: 1, includeFacts: false });
    assert.deepStrictEqual(
      out.map((m) => m?.uid ?? null),
      [2100001, null, 2001001, 2100001],
    );
    assert.equal(source.relatedFactsLog.filter((u) => u === 2100001).length, 1);
    assert.equal(new Set(source.relatedFactsLog).size, source.relatedFactsLog.length);
    // concurrency 1: the second uid is only started after the first model (and its classifier) is done
    const log = source.relatedFactsLog;
    assert.ok(log.indexOf(2001002) < log.indexOf(999), log.join(','));
  });

  test('invalidate refetches one entity; definitiveFactFor picks the definitive or named fact', async () => {
    const source = new InMemoryFactSource(kb);
    const engine = new SemanticModelEngine(source);
    assert.equal((await engine.definitiveFactFor(2100001)).fact_uid, 3000266);
    assert.equal((await engine.definitiveFactFor(2100001, 3000267)).fact_uid, 3000267);
    await assert.rejects(
      engine.definitiveFactFor(2100001, 1),
      (e: unknown) => e instanceof ClarityError && e.code === 'BAD_REQUEST',
    );
    source.setFacts(kb.map((f) => (f.fact_uid === 3000266 ? { ...f, lh_object_name: 'P-101A' } : f)));
    assert.equal((await engine.getModel(2100001)).name, 'P-101');
    engine.invalidate(2100001);
    assert.equal((await engine.getModel(2100001)).name, 'P-101A');
  });

  test('memoisedModel answers only built models, per options, without building; invalidation empties it', async () => {
    const source = new InMemoryFactSource(kb);
    const engine = new SemanticModelEngine(source);
    assert.equal(engine.memoisedModel(2100001), undefined, 'nothing built yet');
    assert.deepEqual(source.relatedFactsLog, [], 'and asking built nothing');
    const built = await engine.getModel(2100001);
    assert.equal(engine.memoisedModel(2100001), built, 'the very object getModel resolved to');
    assert.equal(engine.memoisedModel(2100001, { includeFacts: false }), undefined, 'other options: another model');
    const bare = await engine.getModel(2100001, { includeFacts: false });
    assert.equal(engine.memoisedModel(2100001, { includeFacts: false }), bare);
    assert.equal(engine.memoisedModel(2100001, { factsLimit: 1 }), undefined);
    const one = await engine.getModel(2100001, { factsLimit: 1 });
    assert.equal(engine.memoisedModel(2100001, { factsLimit: 1 }), one);
    assert.equal(one.facts?.length, 1);
    engine.invalidate(2100001);
    assert.equal(engine.memoisedModel(2100001), undefined, 'an invalidated model is not answered');
  });
});
