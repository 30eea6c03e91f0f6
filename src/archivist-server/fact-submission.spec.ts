import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fact } from '../gellish/fact.js';
import { FactStore } from './fact-store.js';
import {
  assignPermanentUids,
  parseFactsRecord,
  parseNewFacts,
  UidReserver,
  validateNewFacts,
  type NewFact,
} from './fact-submission.js';

const fact = (uid: number, lh: number, rel: number, rh: number, lhName = `e${lh}`, rhName = `e${rh}`): Fact => ({
  fact_uid: uid,
  lh_object_uid: lh,
  lh_object_name: lhName,
  rel_type_uid: rel,
  rel_type_name: 'is a specialization of',
  rh_object_uid: rh,
  rh_object_name: rhName,
});

function store(): FactStore {
  return FactStore.fromFacts([
    fact(1001, 730044, 1146, 730000, 'physical object', 'anything'),
    fact(1002, 5000, 1146, 730044, 'pump', 'physical object'),
    fact(1003, 1981, 1146, 2850),
  ]);
}

const newFact = (lh: number, rh: number, rel = 1146, name = 'new'): NewFact => ({
  lh_object_uid: lh,
  lh_object_name: name,
  rel_type_uid: rel,
  rel_type_name: '',
  rh_object_uid: rh,
  rh_object_name: 'pump',
});

describe('fact submission', () => {
  test('parseNewFacts names the fact and the field of the first problem', () => {
    assert.deepEqual(parseNewFacts({}), { ok: false, error: 'body must be a JSON array of facts' });
    assert.deepEqual(parseNewFacts([]), { ok: false, error: 'body must hold at least one fact' });
    const bad = parseNewFacts([newFact(1, 5000), { ...newFact(1, 5000), rel_type_uid: 'x' }]);
    assert.deepEqual(bad, { ok: false, error: 'fact 1: rel_type_uid must be a positive integer' });
    const permanentUid = parseNewFacts([{ ...newFact(1, 5000), fact_uid: 4000 }]);
    assert.ok(!permanentUid.ok && /fact_uid must be absent or a temporary uid/.test(permanentUid.error));
    const wrapped = parseNewFacts({ facts: [{ ...newFact(1, 5000), fact_uid: 7 }] });
    assert.ok(wrapped.ok && wrapped.facts[0]!.fact_uid === undefined);
  });

  test('validateNewFacts: relation type known, objects known or temporary, no duplicates', () => {
    const verdicts = validateNewFacts(store(), [
      newFact(1, 5000),
      newFact(5000, 730044),
      newFact(1, 5000),
      newFact(2, 777),
      newFact(3, 5000, 424242),
      newFact(4, 5000, 5),
    ]);
    assert.deepEqual(verdicts[0], { isValid: true });
    assert.match(verdicts[1]!.message!, /duplicate of existing fact 1002/);
    assert.match(verdicts[2]!.message!, /duplicate of an earlier fact/);
    assert.match(verdicts[3]!.message!, /rh_object_uid 777 is neither a known entity/);
    assert.match(verdicts[4]!.message!, /relation type 424242 is not known/);
    assert.match(verdicts[5]!.message!, /relation type 5 is a temporary uid/);
  });

  test('permanent uids: one per temporary uid, above everything in the store; the hierarchy grows', () => {
    const s = store();
    const reserver = new UidReserver(s.highestUid);
    const { facts, temporaryUids } = assignPermanentUids(
      s,
      [newFact(1, 5000, 1146, 'a'), newFact(2, 1, 1146, 'b'), { ...newFact(1, 1, 1981, 'alias') }],
      reserver,
    );
    const a = temporaryUids.get(1)!;
    const b = temporaryUids.get(2)!;
    assert.ok(a > 730044 && b > 730044 && a !== b);
    assert.deepEqual(
      facts.map((f) => [f.lh_object_uid, f.rh_object_uid]),
      [
        [a, 5000],
        [b, a],
        [a, a],
      ],
    );
    assert.equal(facts[0]!.rel_type_name, 'is a specialization of', 'filled from the graph');
    assert.equal(new Set(facts.map((f) => f.fact_uid)).size, 3);
    const cone = s.relationTypeCone(1146); // cached before the add: must grow in place
    s.add(facts);
    assert.equal(s.nature(b), 'kind');
    assert.equal(s.category(b), 'physical object');
    assert.deepEqual(
      s.subtypesCone(5000).map((f) => f.lh_object_uid),
      [a, b],
    );
    assert.ok(s.highestUid >= Math.max(...facts.map((f) => f.fact_uid)));
    assert.ok(cone.has(1146));
    assert.throws(() => s.add([facts[0]!]), /duplicate fact uid/);
  });

  test('a new subtype of the specialization relation joins the cone, with its facts', () => {
    const s = FactStore.fromFacts([
      fact(1, 730044, 1146, 730000),
      fact(2, 6000, 7777, 730044), // stated with a relation type not yet known as a specialization
    ]);
    assert.equal(s.nature(6000), 'anything');
    const cone = s.relationTypeCone(1146);
    s.add([fact(3, 7777, 1146, 1146)]);
    assert.ok(cone.has(7777), 'the cached cone grew in place');
    assert.equal(s.nature(6000), 'kind');
  });

  test('journal records are checked again when replayed', () => {
    const record = { kind: 'facts', facts: [fact(200, 101, 1146, 5000)] };
    assert.deepEqual(parseFactsRecord(record), record);
    assert.equal(
      parseFactsRecord({ kind: 'facts', facts: [{ ...fact(200, 101, 1146, 5000), fact_uid: 'x' }] }),
      undefined,
    );
    assert.equal(parseFactsRecord({ kind: 'facts', facts: [] }), undefined);
  });
});
