import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fact } from '../gellish/fact.js';
import { ANYTHING, Category, RelationType } from '../gellish/gellish-uids.js';
import { FactStore } from './fact-store.js';

const PUMP = 900001;
const MACHINE = 900002;
const P101 = 900003;
const PART_OF = 900004; // a relation type, subtype of the synonym relation for this test only
let nextUid = 100;
function fact(lh: number, lhName: string, rel: number, rh: number, rhName: string): Fact {
  return {
    fact_uid: nextUid++,
    lh_object_uid: lh,
    lh_object_name: lhName,
    rel_type_uid: rel,
    rel_type_name: 'r',
    rh_object_uid: rh,
    rh_object_name: rhName,
  };
}

function sample() {
  const facts = {
    machine: fact(MACHINE, 'machine', RelationType.SPECIALIZATION, Category.PHYSICAL_OBJECT, 'physical object'),
    pump: fact(PUMP, 'pump', RelationType.SPECIALIZATION, MACHINE, 'machine'),
    synonym: fact(PUMP, 'pomp', RelationType.SYNONYM, PUMP, 'pump'),
    p101: fact(P101, 'P-101', RelationType.CLASSIFICATION, PUMP, 'pump'),
    subRel: fact(PART_OF, 'sub synonym', RelationType.SPECIALIZATION, RelationType.SYNONYM, 'synonym'),
    subRelFact: fact(P101, 'P-101', PART_OF, MACHINE, 'machine'),
    root: fact(Category.PHYSICAL_OBJECT, 'physical object', RelationType.SPECIALIZATION, ANYTHING, 'anything'),
  };
  return { facts, store: FactStore.fromFacts(Object.values(facts)) };
}
const uids = (facts: Fact[]) => facts.map((f) => f.fact_uid).sort();

describe('FactStore', () => {
  test('nature and category, an individual through its classifier', () => {
    const { store } = sample();
    assert.equal(store.nature(PUMP), 'kind');
    assert.equal(store.nature(P101), 'individual');
    assert.equal(store.nature(ANYTHING), 'anything');
    assert.equal(store.nature(123), undefined);
    assert.equal(store.category(PUMP), 'physical object');
    assert.equal(store.category(P101), 'physical object');
    assert.equal(store.category(123), undefined);
  });

  test('definitive, classified, subtype cones and relation-type cones', () => {
    const { store, facts } = sample();
    assert.deepEqual(uids(store.definitiveFacts(PUMP)), [facts.pump.fact_uid]);
    assert.deepEqual(uids(store.definitiveFacts(P101)), [facts.p101.fact_uid]);
    assert.deepEqual(uids(store.classified(PUMP)), [facts.p101.fact_uid]);
    assert.deepEqual(uids(store.subtypesCone(Category.PHYSICAL_OBJECT)), uids([facts.machine, facts.pump]));
    assert.deepEqual(uids(store.relatedOnSubtypeCone(P101, RelationType.SYNONYM)), [facts.subRelFact.fact_uid]);
    assert.deepEqual(store.relatedOnSubtypeCone(P101, PART_OF + 1), []);
  });

  test('allRelatedFacts by depth, each fact once', () => {
    const { store, facts } = sample();
    assert.deepEqual(uids(store.allRelatedFacts(PUMP)), uids([facts.pump, facts.synonym, facts.p101]));
    assert.deepEqual(
      uids(store.allRelatedFacts(PUMP, 2)),
      uids([facts.pump, facts.synonym, facts.p101, facts.machine, facts.subRelFact]),
    );
  });

  test('search by name, exact or containing, case-insensitive', () => {
    const { store, facts } = sample();
    assert.deepEqual(uids(store.search('PUMP', true)), uids([facts.pump, facts.synonym, facts.p101]));
    assert.deepEqual(uids(store.search('p-1', false)), uids([facts.p101, facts.subRelFact]));
    assert.deepEqual(store.search('nothing like it', false), []);
  });

  test('rename changes the name wherever the uid carries it, and keeps synonyms', () => {
    const { store, facts } = sample();
    const renamed = store.rename(facts.pump.fact_uid, 'centrifugal pump');
    assert.equal(renamed?.lh_object_name, 'centrifugal pump');
    const now = (fact: Fact) => store.fact(fact.fact_uid)!;
    assert.equal(now(facts.pump).lh_object_name, 'centrifugal pump');
    assert.equal(now(facts.synonym).rh_object_name, 'centrifugal pump');
    assert.equal(now(facts.p101).rh_object_name, 'centrifugal pump');
    assert.equal(now(facts.synonym).lh_object_name, 'pomp');
    assert.equal(now(facts.machine).lh_object_name, 'machine');
    assert.deepEqual(uids(store.search('pump', true)), []);
    assert.deepEqual(uids(store.search('centrifugal pump', true)), uids([facts.pump, facts.synonym, facts.p101]));
    assert.equal(store.rename(1, 'x'), undefined);
  });

  test('definitions and collections; "" removes a definition', () => {
    const { store, facts } = sample();
    store.setDefinition(facts.pump.fact_uid, 'that pumps', 'is a machine that pumps');
    assert.equal(store.fact(facts.pump.fact_uid)!.full_definition, 'is a machine that pumps');
    const cleared = store.setDefinition(facts.pump.fact_uid, '', 'x')!;
    assert.equal('partial_definition' in cleared, false);
    assert.equal(store.fact(facts.pump.fact_uid)!.full_definition, 'x');
    store.setCollection(facts.pump.fact_uid, 42, 'pumps');
    const pump = store.fact(facts.pump.fact_uid)!;
    assert.deepEqual([pump.collection_uid, pump.collection_name], [42, 'pumps']);
    assert.equal(store.setDefinition(1, 'a', 'b'), undefined);
  });

  test('relatedFactsPage: pages after a fact uid, counts all, leaves out subtypes and instances when structural', () => {
    const { store, facts } = sample();
    const all = store.allRelatedFacts(PUMP).map((f) => f.fact_uid);
    assert.deepEqual(
      all,
      [facts.pump, facts.synonym, facts.p101].map((f) => f.fact_uid),
    );
    assert.equal(store.relatedCount(PUMP), 3, 'the synonym fact (pump on both sides) once');
    const page = store.relatedFactsPage(PUMP, { after: facts.pump.fact_uid, limit: 1 });
    assert.deepEqual(
      page.items.map((f) => f.fact_uid),
      [facts.synonym.fact_uid],
    );
    assert.equal(page.total, 3);
    const machine = store.relatedFactsPage(MACHINE, { structural: true });
    assert.deepEqual(
      machine.items.map((f) => f.fact_uid),
      [facts.machine, facts.subRelFact].map((f) => f.fact_uid),
      'the subtype pump is left out, the other fact about machine is kept',
    );
    assert.equal(machine.total, 3);
    const pump = store.relatedFactsPage(PUMP, { structural: true });
    assert.deepEqual(
      pump.items.map((f) => f.fact_uid),
      [facts.pump, facts.synonym].map((f) => f.fact_uid),
    );
    assert.deepEqual(store.relatedFactsPage(42, { structural: true }), { items: [], total: 0 });
  });
});
