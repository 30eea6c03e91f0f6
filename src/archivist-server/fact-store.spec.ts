import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fact } from '../gellish/fact.js';
import { ANYTHING, Category, RelationType } from '../gellish/gellish-uids.js';
import { FactStore, STRUCTURAL_SPLIT_MIN_ROWS } from './fact-store.js';

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
/** The relation type qualification (1726) as a subtype of specialization (1146), which puts it in the specialization cone. */
const qualificationIsASpecialization = (): Fact =>
  fact(RelationType.QUALIFICATION, 'qualification', RelationType.SPECIALIZATION, RelationType.SPECIALIZATION, 'spec');

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

  test('facts added after load are visible in every index, the hierarchy, search and paging', () => {
    const { store, facts } = sample();
    const before = store.size;
    const valve = 900010;
    const added: Fact[] = [
      fact(valve, 'Valve', RelationType.SPECIALIZATION, MACHINE, 'machine'),
      fact(P101, 'P-101', RelationType.SYNONYM, P101, 'pump one-oh-one'),
    ];
    store.add(added);
    assert.equal(store.size, before + 2);
    assert.deepEqual(store.fact(added[0]!.fact_uid), added[0]);
    assert.deepEqual(uids(store.factsWithLeft(valve)), [added[0]!.fact_uid]);
    assert.ok(uids(store.factsWithRight(MACHINE)).includes(added[0]!.fact_uid));
    assert.ok(uids(store.factsOfRelationType(RelationType.SYNONYM)).includes(added[1]!.fact_uid));
    assert.equal(store.nature(valve), 'kind');
    assert.equal(store.category(valve), 'physical object');
    assert.ok(uids(store.subtypesCone(Category.PHYSICAL_OBJECT)).includes(added[0]!.fact_uid));
    assert.deepEqual(uids(store.search('valve', true)), [added[0]!.fact_uid]);
    assert.deepEqual(uids(store.search('one-oh', false)), [added[1]!.fact_uid]);
    assert.ok(store.highestUid >= valve);
    assert.throws(() => store.add([{ ...added[0]!, lh_object_uid: 1 }]), /duplicate fact uid/);
    const page = store.relatedFactsPage(MACHINE, {});
    assert.deepEqual(
      page.items.map((f) => f.fact_uid),
      uids([facts.machine, facts.pump, facts.subRelFact, added[0]!]),
    );
    assert.equal(page.total, 4);
  });

  test('every list stays in fact uid order when a fact with a lower uid is added or the table was not in order', () => {
    const low = fact(MACHINE, 'machine', RelationType.SYNONYM, PUMP, 'pump');
    low.fact_uid = 7;
    const late = fact(MACHINE, 'machine', RelationType.SYNONYM, P101, 'P-101');
    late.fact_uid = 5;
    const store = FactStore.fromFacts([...Object.values(sample().facts), low]);
    store.add([late]);
    const related = store.allRelatedFacts(MACHINE).map((f) => f.fact_uid);
    assert.deepEqual(
      related,
      [...related].sort((a, b) => a - b),
    );
    assert.deepEqual(related.slice(0, 2), [5, 7]);
    const first = store.relatedFactsPage(MACHINE, { limit: 2 });
    const rest = store.relatedFactsPage(MACHINE, { after: first.items[1]!.fact_uid });
    assert.deepEqual(
      [...first.items, ...rest.items].map((f) => f.fact_uid),
      related,
    );
  });

  test('a store filled row by row (as tables are read) answers like one built at once', () => {
    const { facts, store } = sample();
    const open = FactStore.open();
    for (const f of Object.values(facts)) open.append(f, f === facts.pump ? { '99': 'extra' } : undefined);
    open.seal();
    assert.equal(open.size, store.size);
    assert.deepEqual(open.allRelatedFacts(PUMP), store.allRelatedFacts(PUMP));
    assert.deepEqual(open.extraColumns(facts.pump.fact_uid), { '99': 'extra' });
    assert.deepEqual(open.extraColumns(facts.machine.fact_uid), {});
    assert.throws(() => open.append(facts.pump), /duplicate fact uid/);
  });

  test('optional fields come back as given, in the order of the Fact interface; names are shared', () => {
    const full: Fact = {
      fact_uid: 1,
      lh_object_uid: 10,
      lh_object_name: 'length of P-101',
      rel_type_uid: RelationType.VALUE_ON_SCALE,
      rel_type_name: 'has on scale a value equal to',
      rh_object_uid: 11,
      rh_object_name: '12.5',
      partial_definition: 'that is long',
      full_definition: 'is a length that is long — 12 µm',
      uom_uid: 570423,
      uom_name: 'mm',
      collection_uid: 5000,
      collection_name: 'pumps',
      approval_status: 'accepted',
      effective_from: '2001-03-21',
      latest_update: '2008-11-27',
      author: 'Andries van Renssen',
    };
    const bare = fact(12, 'P-101', RelationType.CLASSIFICATION, PUMP, 'pump');
    const store = FactStore.fromFacts([full, bare]);
    assert.deepEqual(Object.keys(store.fact(1)!), Object.keys(full));
    assert.deepEqual(store.fact(1), full);
    assert.deepEqual(store.fact(bare.fact_uid), bare);
    assert.notEqual(store.fact(1), store.fact(1), 'a new object per answer');
  });

  test("subtypesCone lists a supertype's subtypes as before the column store: 1146 facts first, then table order", () => {
    const top = 900100;
    const spec = (factUid: number, lh: number, rel: number = RelationType.SPECIALIZATION) => ({
      ...fact(lh, `k${lh}`, rel, top, 'top'),
      fact_uid: factUid,
    });
    const store = FactStore.fromFacts([
      spec(30, 900103),
      spec(10, 900101, RelationType.QUALIFICATION),
      spec(20, 900102),
      qualificationIsASpecialization(),
    ]);
    assert.deepEqual(
      store.subtypesCone(top).map((f) => f.fact_uid),
      [30, 20, 10],
    );
    store.add([spec(5, 900104)]);
    assert.deepEqual(
      store.subtypesCone(top).map((f) => f.fact_uid),
      [30, 20, 10, 5],
      'a fact added later comes last',
    );
  });
  test("a hub's structural facts (its own list beyond STRUCTURAL_SPLIT_MIN_ROWS rows) stay right as facts are added", () => {
    const HUB = 900200;
    const SMALL = 900201;
    const OTHER_REL = 900202; // a relation type outside the cones until a fact puts it in the classification cone
    const TALKS_ABOUT = 900203; // a relation type outside every cone
    const subtypeOf = (rh: number, rhName: string, i: number) =>
      fact(910000 + i, `sub ${i}`, RelationType.SPECIALIZATION, rh, rhName);
    const loaded: Fact[] = [fact(HUB, 'hub', RelationType.SPECIALIZATION, ANYTHING, 'anything')];
    for (let i = 0; i < STRUCTURAL_SPLIT_MIN_ROWS + 10; i++) {
      loaded.push(subtypeOf(HUB, 'hub', i));
      if (i % 50 === 0) loaded.push(fact(920000 + i, `about ${i}`, TALKS_ABOUT, HUB, 'hub'));
      if (i % 70 === 0) loaded.push(fact(930000 + i, `member ${i}`, RelationType.CLASSIFICATION, HUB, 'hub'));
    }
    loaded.push(fact(HUB, 'hub', RelationType.SYNONYM, HUB, 'hub'), fact(940000, 'x', OTHER_REL, HUB, 'hub'));
    for (let i = 0; i < STRUCTURAL_SPLIT_MIN_ROWS - 2; i++) loaded.push(subtypeOf(SMALL, 'small', 1000 + i));
    const store = FactStore.fromFacts(loaded);

    /** What the structural answer must be: every related fact but the subtypes' and instances' ones. */
    const expected = (uid: number): number[] => {
      const specialization = store.relationTypeCone(RelationType.SPECIALIZATION);
      const classification = store.relationTypeCone(RelationType.CLASSIFICATION);
      return store
        .allRelatedFacts(uid)
        .filter(
          (f) =>
            f.rh_object_uid !== uid ||
            f.lh_object_uid === uid ||
            !(specialization.has(f.rel_type_uid) || classification.has(f.rel_type_uid)),
        )
        .map((f) => f.fact_uid);
    };
    const check = (uid: number, what: string): number[] => {
      const want = expected(uid);
      const answer = store.relatedFactsPage(uid, { structural: true });
      assert.deepEqual(
        answer.items.map((f) => f.fact_uid),
        want,
        what,
      );
      assert.equal(answer.total, store.relatedCount(uid), `${what}: the total counts every related fact`);
      // Paged: two facts a page, after the previous page's last fact uid.
      const paged: number[] = [];
      let after = 0;
      for (;;) {
        const page = store.relatedFactsPage(uid, { structural: true, after, limit: 2 }).items;
        if (page.length === 0) break;
        paged.push(...page.map((f) => f.fact_uid));
        after = page[page.length - 1]!.fact_uid;
      }
      assert.deepEqual(paged, want, `${what}: paged`);
      return want;
    };

    const atLoad = check(HUB, 'at load');
    assert.equal(atLoad.length, 1 + 6 + 1 + 1, 'its supertype, the six TALKS_ABOUT facts, the synonym, OTHER_REL');
    check(SMALL, 'a small entity at load');

    const later = fact(950000, 'later', TALKS_ABOUT, HUB, 'hub');
    store.add([later, subtypeOf(HUB, 'hub', 5000), fact(950001, 'member', RelationType.CLASSIFICATION, HUB, 'hub')]);
    assert.ok(check(HUB, 'after adding a fact about it, a subtype and an instance').includes(later.fact_uid));

    // OTHER_REL becomes a classification relation: its fact about the hub is an instance's from now on.
    store.add([
      fact(OTHER_REL, 'other rel', RelationType.SPECIALIZATION, RelationType.CLASSIFICATION, 'classification'),
    ]);
    assert.ok(!check(HUB, 'after its relation type joined the classification cone').includes(940000));

    // SMALL reaches the split size with facts added after load.
    const about = fact(960000, 'about small', TALKS_ABOUT, SMALL, 'small');
    store.add([about, subtypeOf(SMALL, 'small', 6000), subtypeOf(SMALL, 'small', 6001)]);
    assert.deepEqual(check(SMALL, 'an entity that reached the split size after load'), [about.fact_uid]);
    const afterSplit = fact(960001, 'more about small', TALKS_ABOUT, SMALL, 'small');
    store.add([afterSplit, subtypeOf(SMALL, 'small', 6002)]);
    assert.deepEqual(check(SMALL, 'and facts added after that'), [about.fact_uid, afterSplit.fact_uid]);
  });
  test('ancestry: supertypes at any depth nearest first, each once; an individual through its classifiers', () => {
    const [A, B, C, D, E, I] = [900301, 900302, 900303, 900304, 900305, 900306];
    const spec = (lh: number, rh: number, rel: number = RelationType.SPECIALIZATION) =>
      fact(lh, `k${lh}`, rel, rh, `k${rh}`);
    const store = FactStore.fromFacts([
      spec(A, B),
      spec(A, C, RelationType.QUALIFICATION), // a qualification is a supertype too
      spec(B, D),
      spec(C, D), // a diamond: D once
      spec(D, ANYTHING),
      spec(E, A),
      spec(A, E), // bad data: a cycle ends the walk
      fact(I, 'I-1', RelationType.CLASSIFICATION, B, `k${B}`),
      fact(I, 'I-1', RelationType.SYNONYM, I, 'I-1'),
      qualificationIsASpecialization(),
    ]);
    // Direct supertypes in the hierarchy's edge order (1146 facts before qualifications), then the next level.
    assert.deepEqual(store.ancestry(A), [B, E, C, D, ANYTHING]);
    assert.deepEqual(store.ancestry(D), [ANYTHING]);
    assert.deepEqual(store.ancestry(I), [B, D, ANYTHING], 'its classifier, then the supertypes of that');
    assert.deepEqual(store.ancestry(ANYTHING), []);
    assert.deepEqual(store.ancestry(42), [], 'unknown');
    assert.deepEqual(store.ancestry(A, 2), [B, E], 'bounded');
    store.add([spec(ANYTHING, 900307)]);
    assert.deepEqual(store.ancestry(D), [ANYTHING, 900307], 'facts added later count');
  });
});
