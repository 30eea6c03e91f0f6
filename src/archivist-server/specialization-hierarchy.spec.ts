import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fact } from '../gellish/fact.js';
import { RelationType } from '../gellish/gellish-uids.js';
import { FactStore } from './fact-store.js';
import { SpecializationHierarchy } from './specialization-hierarchy.js';

const SPEC = RelationType.SPECIALIZATION;
const QUAL = RelationType.QUALIFICATION;
let nextUid = 1;
function fact(lh: number, rel: number, rh: number): Fact {
  return {
    fact_uid: nextUid++,
    lh_object_uid: lh,
    lh_object_name: `e${lh}`,
    rel_type_uid: rel,
    rel_type_name: 'r',
    rh_object_uid: rh,
    rh_object_name: `e${rh}`,
  };
}
/** The hierarchy over the facts, read from the store's rows as the Archivist does. */
function hierarchyOf(facts: Fact[]): SpecializationHierarchy {
  return new SpecializationHierarchy(FactStore.fromFacts(facts));
}

describe('SpecializationHierarchy', () => {
  test('the 1146 cone grows to a fixed point: facts of a subtype relation count as specializations', () => {
    const mySpec = 900100;
    const facts = [fact(QUAL, SPEC, SPEC), fact(mySpec, QUAL, SPEC), fact(11, mySpec, 10), fact(12, 777, 10)];
    const h = hierarchyOf(facts);
    assert.deepEqual([...h.specializationTypes].sort(), [SPEC, QUAL, mySpec].sort());
    assert.deepEqual(h.supertypesOf(11), [10]);
    assert.deepEqual(h.supertypesOf(12), []);
  });

  test('cones, descendants and subtype-cone facts over a diamond', () => {
    const facts = [fact(2, SPEC, 1), fact(3, SPEC, 1), fact(4, SPEC, 2), fact(4, SPEC, 3), fact(5, SPEC, 4)];
    const h = hierarchyOf(facts);
    assert.deepEqual([...h.cone(1)].sort(), [1, 2, 3, 4, 5]);
    assert.deepEqual([...h.cone(4)].sort(), [4, 5]);
    const coneFacts = h
      .subtypesConeFacts(1)
      .map((f) => f.fact_uid)
      .sort();
    assert.deepEqual(coneFacts, facts.map((f) => f.fact_uid).sort());
    assert.deepEqual(h.subtypesConeFacts(5), []);
  });

  test('cycles in bad data terminate and list each fact once', () => {
    const facts = [fact(2, SPEC, 1), fact(1, SPEC, 2), fact(3, SPEC, 3)];
    const h = hierarchyOf(facts);
    assert.deepEqual([...h.cone(1)].sort(), [1, 2]);
    assert.equal(h.subtypesConeFacts(1).length, 2);
    assert.deepEqual(
      h.subtypesConeFacts(3).map((f) => f.fact_uid),
      [facts[2]!.fact_uid],
    );
  });
});
