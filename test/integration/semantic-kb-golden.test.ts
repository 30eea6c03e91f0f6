import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Fact } from '../../src/gellish/fact.js';
import { SemanticModelEngine } from '../../src/semantic/semantic-model-engine.js';
import { InMemoryFactSource } from '../support/in-memory-fact-source.js';
import { kbPath, loadTable } from '../support/gellish-tables.js';

/**
 * Golden models of the bundled knowledge base (clarity-kb.csv): one kind and one
 * individual of every category. Every expected value below was written by hand from
 * the CSV rows (cited by fact uid) and spec §5 plus the decisions listed at the top of
 * src/semantic/model-types.ts, never from the engine's output.
 *
 * Readings of the upper-ontology rows the expectations rely on:
 * - Category roots reached through 1146 facts: 730044 physical object (3000017 → 1394
 *   → 730067), 160170 role (3000028 → 790229 aspect), 790229 aspect (3000018 → 730067),
 *   193671 occurrence (3000105 → 790123 state → 5517 → 5516), 2850 relation (5516 is a
 *   subtype of both 730067 and 2850: 3000073, 3000098). Precedence: physical object,
 *   role, aspect, occurrence, relation.
 * - Parts by relation-type cone (most specific root wins): 4956 ⊂ 2069 → aspect
 *   (3000079); 4714 ⊂ 2069 → role (3000054); 4708 ⊂ 1727 → role (3000056); 1191 ⊂ 5807
 *   ⊂ 1261 → part-whole (3000012, 3000104); 1190 → part-whole; 1407, 1487 → connection;
 *   5644 ⊂ 4767 → involvement (3000100); 4648 → involvement; 5025 → value; 5453 →
 *   begin; 5089 ⊂ 1785 ⊂ 4800 ⊂ 1727 → end wins over aspect (3000086, 3000026,
 *   3000069); 4757 → quantification scale; 4731/4733 ⊂ 4732 ⊂ 5760 ⊂ 2069 → required
 *   role 1/2 wins over aspect (3000060-62, 3000102).
 * - Inverse phrases (1986 facts) swap the sides: 1191 "can have as part a" (3000141),
 *   1190 "has as part" (3000187), 1727 "is an aspect of" (3000152), 4708 "is a role of"
 *   (3000221), 5644 "is participant in" (3000214). Forward phrases used by the demo rows
 *   (1981 facts): 2069 "can have as aspect a" (3000111), 4956 "shall have as aspect a"
 *   (3000185), 1191 "can be a part of a" (3000129), 1407 "can be connected to a"
 *   (3000130), 4714 "can have a role as a" (3000158), 4648 "can involve a" (3000183),
 *   4757 "can be quantified on scale" (3000167), 4731/4733 (3000163/3000164),
 *   1225 "is classified as a" (3000107), 1190 "is a part of" (3000136), 1487 "is
 *   connected with" (3000147), 1727 "has as aspect" (3000209), 4708 "has as role"
 *   (3000220), 5644 "has as participant" (3000215), 5025 "has on scale a value equal to"
 *   (3000205), 5453 "begins with" (3000202), 5089 "is ending at point in time" (3000193).
 * - Every demonstration row carries collection 2000901 "process plant equipment
 *   demonstration" (columns 50/68).
 */

// ---- the knowledge base, read here independently of the engine's table helpers ----

/** The CSV as facts: columns by Gellish id (spec §7), thousands separators removed. */
function readKbFacts(): Fact[] {
  const rows = parse(readFileSync(kbPath(), 'utf8'), { skip_empty_lines: true }) as string[][];
  const header = rows[0].map((h) => h.trim());
  const at = (row: string[], id: string): string => (row[header.indexOf(id)] ?? '').trim();
  const int = (text: string): number => Number(text.replaceAll(',', ''));
  return rows.slice(1).map((row) => {
    const f: Fact = {
      fact_uid: int(at(row, '1')),
      lh_object_uid: int(at(row, '2')),
      lh_object_name: at(row, '101'),
      rel_type_uid: int(at(row, '60')),
      rel_type_name: at(row, '3'),
      rh_object_uid: int(at(row, '15')),
      rh_object_name: at(row, '201'),
    };
    if (at(row, '65')) f.partial_definition = at(row, '65');
    if (at(row, '4')) f.full_definition = at(row, '4');
    if (at(row, '66')) f.uom_uid = int(at(row, '66'));
    if (at(row, '7')) f.uom_name = at(row, '7');
    if (at(row, '50')) f.collection_uid = int(at(row, '50'));
    if (at(row, '68')) f.collection_name = at(row, '68');
    if (at(row, '8')) f.approval_status = at(row, '8');
    if (at(row, '9')) f.effective_from = at(row, '9');
    if (at(row, '10')) f.latest_update = at(row, '10');
    if (at(row, '12')) f.author = at(row, '12');
    return f;
  });
}

// ---- small builders for the hand-written expectations ----

const DEMO = { uid: 2000901, name: 'process plant equipment demonstration' };

/** A part entry; `from` marks it inherited from that supertype/classifier. */
function entry(uid: number, name: string, relation_uid: number, fact_uid: number, from?: number) {
  return from === undefined
    ? { uid, name, relation_uid, fact_uid }
    : { uid, name, relation_uid, fact_uid, inherited: true as const, from };
}

const def = (fact_uid: number, partial_definition: string, full_definition: string) => ({
  fact_uid,
  partial_definition,
  full_definition,
});

/** Legacy numeric keys of kinds (spec §5), defaulting to empty. */
function legacy(
  keys: Partial<Record<'1146' | '1225' | '4731' | '4733' | '4714', number[]> & Record<'1981' | '1986', string[]>>,
) {
  return { '1146': [], '1225': [], '4731': [], '4733': [], '4714': [], '1981': [], '1986': [], ...keys };
}

interface Golden {
  uid: number;
  /** Fact uids with the entity as left or right object, read off the CSV by hand. */
  factUids: number[];
  model: Record<string, unknown>;
}

const GOLDEN: Golden[] = [
  // ---------------------------------------------------------------- physical object
  {
    uid: 2001003,
    // 3000228 (specialization), 3000249 (4956 temperature).
    factUids: [3000228, 3000249],
    model: {
      // nature kind: left object of 1146 fact 3000228; name and collection from it.
      uid: 2001003,
      name: 'multistage centrifugal pump',
      nature: 'kind',
      collection: DEMO,
      definitions: [
        def(
          3000228,
          'with two or more impellers in series on one shaft.',
          'is a centrifugal pump with two or more impellers in series on one shaft.',
        ),
      ],
      synonyms: [],
      supertypes: [2001002],
      ...legacy({ '1146': [2001002] }),
      // Ancestors breadth-first: 2001002 (3000228), 2001001 (3000227), 2001004 and
      // 2001005 (3000225, 3000226), 2001000 (3000223/3000224), 730044 (3000222), 1394
      // (3000017), 730067 (3000021), 4990 (3000016), 730000 (3000001) → physical object.
      category: 'physical object',
      // Own: temperature via 4956 (3000249). Inherited: pump capacity from pump
      // (3000247), mass from equipment item (3000248).
      aspects: [
        entry(2002004, 'temperature', 4956, 3000249),
        entry(2002002, 'pump capacity', 2069, 3000247, 2001001),
        entry(2002003, 'mass', 2069, 3000248, 2001000),
      ],
      // Inherited: driven machine from pump (3000255), possessor of an aspect from
      // individual object (3000114); 4714 is a role part, not an aspect.
      roles: [
        entry(2003001, 'driven machine', 4714, 3000255, 2001001),
        entry(4290, 'possessor of an aspect', 4714, 3000114, 730067),
      ],
      // From centrifugal pump: impeller "can be a part of a" (3000250, forward) and
      // pump casing through the inverse phrase "can have as part a" (3000251).
      components: [
        entry(2001011, 'impeller', 1191, 3000250, 2001002),
        entry(2001013, 'pump casing', 1191, 3000251, 2001002),
      ],
      // From pump: "can be connected to a" pipe line (3000252).
      connections: [entry(2001014, 'pipe line', 1407, 3000252, 2001001)],
      // Not a part of anything (partOf is never inherited).
      partOf: [],
      intendedFunctions: [],
      definingQualities: [],
      unclassifiedFacts: [],
    },
  },
  {
    uid: 2100001,
    factUids: [3000266, 3000267, 3000279, 3000280, 3000281, 3000282, 3000283, 3000287, 3000289],
    model: {
      // nature individual: 1225 fact 3000266 (classifier centrifugal pump, with definition).
      uid: 2100001,
      name: 'P-101',
      nature: 'individual',
      collection: DEMO,
      definitions: [
        def(
          3000266,
          'that is the boiler feed water pump of unit 100.',
          'is a centrifugal pump that is the boiler feed water pump of unit 100.',
        ),
      ],
      // 1981 fact 3000267 (no definition, so not among the definitions).
      synonyms: ['boiler feed water pump A'],
      classifiers: [2001002],
      category: 'physical object',
      // 3000282 "has as aspect"; 3000283 "is an aspect of" (inverse, swapped).
      aspects: [entry(2100005, 'capacity of P-101', 1727, 3000282), entry(2100006, 'mass of P-101', 1727, 3000283)],
      // 3000287 "has as role".
      roles: [entry(2100008, 'P-101 as driven machine', 4708, 3000287)],
      // 3000279 "is a part of" (forward, P-101 on the right); 3000280 "has as part" (inverse).
      components: [
        entry(2100002, 'impeller of P-101', 1190, 3000279),
        entry(2100003, 'casing of P-101', 1190, 3000280),
      ],
      // 3000281 "is connected with" (forward synonym of 1487).
      connections: [entry(2100004, 'line 6"-BFW-1001', 1487, 3000281)],
      partOf: [],
      intendedFunctions: [],
      definingQualities: [],
      // 3000289 (participant in the commissioning) is an involvement fact: no physical-object part.
      unclassifiedFacts: [],
    },
  },
  // ---------------------------------------------------------------- aspect
  {
    uid: 2002002,
    factUids: [3000237, 3000246, 3000247, 3000271],
    model: {
      uid: 2002002,
      name: 'pump capacity',
      nature: 'kind',
      collection: DEMO,
      definitions: [
        def(
          3000237,
          'that a pump delivers at its rated point.',
          'is a volumetric flow rate that a pump delivers at its rated point.',
        ),
      ],
      // 1981 fact 3000246 "flow capacity" (left = right = 2002002).
      synonyms: ['flow capacity'],
      supertypes: [2002001],
      ...legacy({ '1146': [2002001], '1981': ['flow capacity'] }),
      // 2002001 (3000237) → 2002000 (3000236) → 790229 aspect (3000235).
      category: 'aspect',
      // Left object of 2069 fact 3000247 (not inherited).
      possessors: [entry(2001001, 'pump', 2069, 3000247)],
      // No own 4757 fact; nearest supertype volumetric flow rate: 3000243 → m3/h.
      isQuantitative: true,
      unitOfMeasure: { uid: 2002901, name: 'm3/h', inherited: true, from: 2002001 },
      unclassifiedFacts: [],
    },
  },
  {
    uid: 2100005,
    factUids: [3000271, 3000282, 3000284],
    model: {
      uid: 2100005,
      name: 'capacity of P-101',
      nature: 'individual',
      collection: DEMO,
      // 3000271 carries no definition.
      definitions: [],
      synonyms: [],
      classifiers: [2002002],
      category: 'aspect',
      // 3000282: P-101 "has as aspect" capacity of P-101.
      possessors: [entry(2100001, 'P-101', 1727, 3000282)],
      // 3000284: value 120 with uom 2002901 m3/h; the unit comes from the value fact.
      isQuantitative: true,
      unitOfMeasure: { uid: 2002901, name: 'm3/h' },
      value: { quant: 120, uom: { uid: 2002901, name: 'm3/h' } },
      unclassifiedFacts: [],
    },
  },
  // ---------------------------------------------------------------- role
  {
    uid: 2003001,
    factUids: [3000253, 3000255, 3000259, 3000274],
    model: {
      uid: 2003001,
      name: 'driven machine',
      nature: 'kind',
      collection: DEMO,
      definitions: [
        def(
          3000253,
          'that is played by a machine that receives its mechanical power from a driver.',
          'is a role that is played by a machine that receives its mechanical power from a driver.',
        ),
      ],
      synonyms: [],
      supertypes: [160170],
      ...legacy({ '1146': [160170] }),
      // 160170 role (3000253) wins over aspect (160170 ⊂ 790229, 3000028).
      category: 'role',
      // 3000255 pump "can have a role as a" driven machine.
      rolePlayers: [entry(2001001, 'pump', 4714, 3000255)],
      // 3000259 mechanical drive "requires a role-2 as a" driven machine.
      requiredInRelations: [{ ...entry(2004001, 'mechanical drive', 4733, 3000259), role_position: 2 }],
      unclassifiedFacts: [],
    },
  },
  {
    uid: 2100008,
    factUids: [3000274, 3000287],
    model: {
      uid: 2100008,
      name: 'P-101 as driven machine',
      nature: 'individual',
      collection: DEMO,
      definitions: [],
      synonyms: [],
      classifiers: [2003001],
      category: 'role',
      // 3000287 P-101 "has as role" P-101 as driven machine.
      rolePlayers: [entry(2100001, 'P-101', 4708, 3000287)],
      // None stated: taken from the classifier driven machine (3000259).
      requiredInRelations: [{ ...entry(2004001, 'mechanical drive', 4733, 3000259, 2003001), role_position: 2 }],
      unclassifiedFacts: [],
    },
  },
  // ---------------------------------------------------------------- relation
  {
    uid: 2004001,
    factUids: [3000257, 3000258, 3000259, 3000260, 3000261, 3000276],
    model: {
      uid: 2004001,
      name: 'mechanical drive',
      nature: 'kind',
      collection: DEMO,
      // 3000257 only: synonym 3000260 and inverse 3000261 carry no definition.
      definitions: [
        def(
          3000257,
          'in which a driver delivers mechanical power to a driven machine through a shaft or coupling.',
          'is a binary relation between individual things in which a driver delivers mechanical power to a driven machine through a shaft or coupling.',
        ),
      ],
      synonyms: ['drives'],
      supertypes: [4658],
      ...legacy({
        '1146': [4658],
        '4731': [2003002], // 3000258
        '4733': [2003001], // 3000259
        '1981': ['drives'], // 3000260
        '1986': ['is mechanically driven by'], // 3000261
      }),
      // 4658 (3000257) → 5516 (3000051) → 730067 and 2850 (3000073, 3000098): not below
      // 730044, 160170, 790229 or 193671, so relation.
      category: 'relation',
      requiredRole1: entry(2003002, 'driver', 4731, 3000258),
      requiredRole2: entry(2003001, 'driven machine', 4733, 3000259),
      // First (only) 1986 fact, 3000261; its left object is the relation itself.
      inverseRelation: { uid: 2004001, name: 'is mechanically driven by' },
      inverseNames: ['is mechanically driven by'],
      // Players of driver: electric motor (3000256); of driven machine: pump (3000255).
      possibleRolePlayers: [
        { ...entry(2001010, 'electric motor', 4714, 3000256), role_uid: 2003002, role_position: 1 },
        { ...entry(2001001, 'pump', 4714, 3000255), role_uid: 2003001, role_position: 2 },
      ],
      unclassifiedFacts: [],
    },
  },
  {
    uid: 2100010,
    factUids: [3000276],
    model: {
      uid: 2100010,
      name: 'drive of P-101 by M-101',
      nature: 'individual',
      collection: DEMO,
      definitions: [
        def(
          3000276,
          'by which M-101 drives P-101 through a flexible coupling.',
          'is a mechanical drive by which M-101 drives P-101 through a flexible coupling.',
        ),
      ],
      synonyms: [],
      classifiers: [2004001],
      category: 'relation',
      // Not stated on the individual: taken from the classifier (3000258, 3000259).
      requiredRole1: entry(2003002, 'driver', 4731, 3000258, 2004001),
      requiredRole2: entry(2003001, 'driven machine', 4733, 3000259, 2004001),
      // The individual has no 1986 fact (inverse names are not among the fields an
      // individual takes from its classifier).
      inverseRelation: null,
      inverseNames: [],
      // Taken from the classifier (model-types: marked inherited, from the classifier).
      possibleRolePlayers: [
        { ...entry(2001010, 'electric motor', 4714, 3000256, 2004001), role_uid: 2003002, role_position: 1 },
        { ...entry(2001001, 'pump', 4714, 3000255, 2004001), role_uid: 2003001, role_position: 2 },
      ],
      unclassifiedFacts: [],
    },
  },
  // ---------------------------------------------------------------- occurrence
  {
    uid: 2005002,
    factUids: [3000263, 3000277],
    model: {
      uid: 2005002,
      name: 'pump commissioning',
      nature: 'kind',
      collection: DEMO,
      definitions: [
        def(
          3000263,
          'of a pump, including a test run at its rated capacity.',
          'is a commissioning of a pump, including a test run at its rated capacity.',
        ),
      ],
      synonyms: [],
      supertypes: [2005001],
      ...legacy({ '1146': [2005001] }),
      // 2005001 (3000263) → 193671 occurrence (3000262); occurrence precedes relation
      // (193671 → 790123 → 5517 → 5516 → 2850).
      category: 'occurrence',
      // Inherited from commissioning: 3000265 (2069 temperature), 3000264 (4648 "can involve a").
      aspects: [entry(2002004, 'temperature', 2069, 3000265, 2005001)],
      involved: [entry(2001000, 'equipment item', 4648, 3000264, 2005001)],
      // No begin/end facts on the kind.
      temporalAspects: { beginTime: null, endTime: null, duration: null },
      unclassifiedFacts: [],
    },
  },
  {
    uid: 2100011,
    factUids: [3000277, 3000289, 3000290, 3000291, 3000292, 3000293],
    model: {
      uid: 2100011,
      name: 'commissioning of P-101',
      nature: 'individual',
      collection: DEMO,
      definitions: [
        def(3000277, 'that took place on 15 March 2024.', 'is a pump commissioning that took place on 15 March 2024.'),
      ],
      synonyms: [],
      classifiers: [2005002],
      category: 'occurrence',
      // 3000291 "has as aspect".
      aspects: [entry(2100012, 'ambient temperature at commissioning of P-101', 1727, 3000291)],
      // 3000289 "has as participant" P-101; 3000290 M-101 "is participant in" (inverse, swapped).
      involved: [entry(2100001, 'P-101', 5644, 3000289), entry(2100007, 'M-101', 5644, 3000290)],
      // 3000292 (5453 "begins with"), 3000293 (5089); 08:00 → 16:30 is 8 h 30 min.
      temporalAspects: {
        beginTime: '2024-03-15T08:00:00Z',
        endTime: '2024-03-15T16:30:00Z',
        duration: 'PT8H30M',
      },
      unclassifiedFacts: [],
    },
  },
];

const kb = await loadTable(kbPath());

describe('bundled knowledge base: golden models', () => {
  const csvFacts = readKbFacts();
  const engine = new SemanticModelEngine(new InMemoryFactSource(kb));
  const factsOf = (uid: number): Fact[] => csvFacts.filter((f) => f.lh_object_uid === uid || f.rh_object_uid === uid);

  test('the table helper feeding the engine reads the CSV as this test does', () => {
    assert.deepStrictEqual(kb, csvFacts);
  });

  test('fact uids of the knowledge base are unique', () => {
    const uids = csvFacts.map((f) => f.fact_uid);
    assert.equal(new Set(uids).size, uids.length);
  });

  for (const { uid, model } of GOLDEN) {
    test(`model of ${uid} (${model.name as string})`, async () => {
      assert.deepStrictEqual(await engine.getModel(uid, { includeFacts: false }), model);
    });
  }

  for (const { uid, factUids } of GOLDEN) {
    test(`facts of ${uid} are the CSV rows with it as left or right object`, async () => {
      const expected = factsOf(uid);
      assert.deepStrictEqual(
        expected.map((f) => f.fact_uid),
        factUids,
      );
      const model = await engine.getModel(uid);
      assert.deepStrictEqual(model.facts, expected);
    });
  }
});
