import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { silentLogger } from '../../src/archivist-server/archivist-logger.js';
import { startArchivistServer, type ArchivistServer } from '../../src/archivist-server/archivist-server.js';
import { projectRoot } from '../../src/common/project-root.js';
import type { Fact } from '../../src/gellish/fact.js';
import { ANYTHING, Category, CATEGORY_PRECEDENCE, RelationType } from '../../src/gellish/gellish-uids.js';

/**
 * The embedded Archivist over the real Gellish upper ontology: every answer is
 * checked against small, deliberately naive computations over the file's rows.
 */
const TOPINI = join(projectRoot(), '..', 'shared', 'data', 'gellish', 'TOPini.csv');
const skip = existsSync(TOPINI) ? false : `TOPini not found at ${TOPINI}`;
if (skip) process.stdout.write(`# skipping TOPini tests: ${skip}\n`);

/** "possessor of an aspect", a role, asked for by name in the brief. */
const POSSESSOR_OF_AN_ASPECT = 4290;

type Row = Record<string, string>;
const num = (text: string): number => Number(text.replaceAll(',', ''));

function rowToFact(row: Row): Fact {
  const fact: Record<string, unknown> = {
    fact_uid: num(row['1']!),
    lh_object_uid: num(row['2']!),
    lh_object_name: row['101'],
    rel_type_uid: num(row['60']!),
    rel_type_name: row['3'],
    rh_object_uid: num(row['15']!),
    rh_object_name: row['201'],
  };
  const optional: Array<[string, string, boolean]> = [
    ['65', 'partial_definition', false],
    ['4', 'full_definition', false],
    ['66', 'uom_uid', true],
    ['7', 'uom_name', false],
    ['50', 'collection_uid', true],
    ['68', 'collection_name', false],
    ['8', 'approval_status', false],
    ['9', 'effective_from', false],
    ['10', 'latest_update', false],
    ['12', 'author', false],
  ];
  for (const [column, field, numeric] of optional) {
    const text = (row[column] ?? '').trim();
    if (text !== '') fact[field] = numeric ? num(text) : text;
  }
  return fact as unknown as Fact;
}

/** Naive graph computations over all facts, each a fixed-point loop over the whole list. */
class Oracle {
  readonly specTypes: Set<number>;
  constructor(readonly facts: Fact[]) {
    this.specTypes = new Set([RelationType.SPECIALIZATION]);
    this.specTypes = this.cone(RelationType.SPECIALIZATION);
  }
  private grow(start: number[], step: (f: Fact, set: Set<number>) => number | undefined): Set<number> {
    const set = new Set(start);
    for (let changed = true; changed;) {
      changed = false;
      for (const f of this.facts) {
        const add = step(f, set);
        if (add !== undefined && !set.has(add)) {
          set.add(add);
          changed = true;
        }
      }
    }
    return set;
  }
  /** uid and everything below it; for 1146 itself the relation set grows with the cone. */
  cone(uid: number): Set<number> {
    const self = uid === RelationType.SPECIALIZATION;
    return this.grow([uid], (f, set) =>
      (self ? set : this.specTypes).has(f.rel_type_uid) && set.has(f.rh_object_uid) ? f.lh_object_uid : undefined,
    );
  }
  ancestorsAndSelf(start: number[]): Set<number> {
    return this.grow(start, (f, set) =>
      this.specTypes.has(f.rel_type_uid) && set.has(f.lh_object_uid) ? f.rh_object_uid : undefined,
    );
  }
  known(uid: number): boolean {
    return this.facts.some((f) => f.lh_object_uid === uid || f.rh_object_uid === uid);
  }
  nature(uid: number): string {
    if (uid === ANYTHING) return 'anything';
    const left = this.facts.filter((f) => f.lh_object_uid === uid);
    const right = this.facts.filter((f) => f.rh_object_uid === uid);
    const qualification = this.cone(RelationType.QUALIFICATION);
    const classification = this.cone(RelationType.CLASSIFICATION);
    if (left.some((f) => qualification.has(f.rel_type_uid))) return 'qualification';
    if (left.some((f) => this.specTypes.has(f.rel_type_uid))) return 'kind';
    if (left.some((f) => classification.has(f.rel_type_uid))) return 'individual';
    const hasBelow = right.some((f) => this.specTypes.has(f.rel_type_uid) || classification.has(f.rel_type_uid));
    return hasBelow ? 'kind' : 'anything';
  }
  category(uid: number): string {
    const classification = this.cone(RelationType.CLASSIFICATION);
    const start =
      this.nature(uid) === 'individual'
        ? this.facts
            .filter((f) => f.lh_object_uid === uid && classification.has(f.rel_type_uid))
            .map((f) => f.rh_object_uid)
        : [uid];
    const lineage = this.ancestorsAndSelf(start);
    return CATEGORY_PRECEDENCE.find((root) => lineage.has(root.uid))?.name ?? 'anything';
  }
  definitive(uid: number): Fact[] {
    const classification = this.cone(RelationType.CLASSIFICATION);
    return this.facts.filter(
      (f) => f.lh_object_uid === uid && (this.specTypes.has(f.rel_type_uid) || classification.has(f.rel_type_uid)),
    );
  }
  related(uid: number): Fact[] {
    return this.facts.filter((f) => f.lh_object_uid === uid || f.rh_object_uid === uid);
  }
  relatedOnCone(uid: number, relType: number): Fact[] {
    const cone = this.cone(relType);
    return this.facts.filter((f) => f.lh_object_uid === uid && cone.has(f.rel_type_uid));
  }
  subtypesCone(uid: number): Fact[] {
    const cone = this.cone(uid);
    return this.facts.filter((f) => this.specTypes.has(f.rel_type_uid) && cone.has(f.rh_object_uid));
  }
  classified(uid: number): Fact[] {
    const classification = this.cone(RelationType.CLASSIFICATION);
    return this.facts.filter((f) => f.rh_object_uid === uid && classification.has(f.rel_type_uid));
  }
}

const sortedUids = (facts: Fact[]): number[] => facts.map((f) => f.fact_uid).sort((a, b) => a - b);

/** Every k-th element of a sorted list, about n in all. */
function spread<T>(items: T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, i) => i % step === 0).slice(0, n);
}

describe('embedded Archivist on TOPini', { skip }, () => {
  let server: ArchivistServer;
  let oracle: Oracle;
  let sample: number[];

  before(async () => {
    const rows = parse(readFileSync(TOPINI), { columns: true, bom: true }) as Row[];
    oracle = new Oracle(rows.map(rowToFact));
    const entities = [...new Set(oracle.facts.flatMap((f) => [f.lh_object_uid, f.rh_object_uid]))].sort(
      (a, b) => a - b,
    );
    const special = [
      ANYTHING,
      Category.PHYSICAL_OBJECT,
      RelationType.SPECIALIZATION,
      POSSESSOR_OF_AN_ASPECT,
      RelationType.ASPECT_POSSESSION,
    ];
    sample = [...new Set([...special, ...spread(entities, 50)])];
    server = await startArchivistServer({ dataFiles: [TOPINI], logger: silentLogger });
  });
  after(async () => {
    await server?.close();
  });

  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, body: await res.json() };
  }
  async function getFacts(path: string): Promise<Fact[]> {
    const { status, body } = await get(path);
    assert.equal(status, 200, path);
    assert.ok(Array.isArray(body), path);
    return body as Fact[];
  }

  test('loads every fact of the file and rejects none', async () => {
    assert.equal(server.load.factCount, oracle.facts.length);
    assert.equal(server.store.size, oracle.facts.length);
    assert.equal(server.load.rejected.length, 0);
    assert.deepEqual(await get('/health'), { status: 200, body: { status: 'ok', facts: oracle.facts.length } });
  });

  test('type and category agree with the file', async () => {
    for (const uid of sample) {
      assert.ok(oracle.known(uid));
      assert.deepEqual(
        await get(`/retrieveEntity/type?uid=${uid}`),
        { status: 200, body: oracle.nature(uid) },
        `type ${uid}`,
      );
      assert.deepEqual(
        await get(`/retrieveEntity/category?uid=${uid}`),
        { status: 200, body: oracle.category(uid) },
        `category ${uid}`,
      );
    }
  });

  test('the special uids land where the ontology says', async () => {
    // Values stated in spec §5/§6, checked here as well as against the oracle.
    assert.equal((await get(`/retrieveEntity/type?uid=${ANYTHING}`)).body, 'anything');
    assert.equal((await get(`/retrieveEntity/category?uid=${Category.PHYSICAL_OBJECT}`)).body, 'physical object');
    assert.equal(
      (await get(`/retrieveEntity/category?uid=${POSSESSOR_OF_AN_ASPECT}`)).body,
      oracle.category(POSSESSOR_OF_AN_ASPECT),
    );
  });

  test('definitiveFacts, allRelatedFacts and classified agree with the file', async () => {
    for (const uid of sample) {
      assert.deepEqual(
        sortedUids(await getFacts(`/fact/definitiveFacts?uid=${uid}`)),
        sortedUids(oracle.definitive(uid)),
        `definitive ${uid}`,
      );
      const related = await getFacts(`/fact/allRelatedFacts?uid=${uid}&depth=1`);
      assert.deepEqual(
        related.map((f) => f.fact_uid),
        sortedUids(oracle.related(uid)),
        `related ${uid}`,
      );
      assert.deepEqual(
        sortedUids(await getFacts(`/fact/classified?uid=${uid}`)),
        sortedUids(oracle.classified(uid)),
        `classified ${uid}`,
      );
    }
  });

  test('relatedOnUIDSubtypeCone agrees with the file for the relation types it uses', async () => {
    const relTypes = [...new Set(oracle.facts.map((f) => f.rel_type_uid))].sort((a, b) => a - b);
    relTypes.push(RelationType.CLASSIFICATION);
    for (const uid of sample) {
      for (const relType of relTypes) {
        const answer = await getFacts(`/fact/relatedOnUIDSubtypeCone?lh_object_uid=${uid}&rel_type_uid=${relType}`);
        assert.deepEqual(sortedUids(answer), sortedUids(oracle.relatedOnCone(uid, relType)), `cone ${uid}/${relType}`);
      }
    }
  });

  test('subtypesCone agrees with the file, each fact once', async () => {
    for (const uid of sample) {
      const answer = await getFacts(`/fact/subtypesCone?uid=${uid}`);
      assert.equal(new Set(answer.map((f) => f.fact_uid)).size, answer.length, `duplicates in cone of ${uid}`);
      assert.deepEqual(sortedUids(answer), sortedUids(oracle.subtypesCone(uid)), `subtypesCone ${uid}`);
    }
  });

  test('fact answers each fact exactly as the file states it', async () => {
    const facts = spread(oracle.facts, 50);
    for (const fact of [...facts, ...oracle.related(POSSESSOR_OF_AN_ASPECT)]) {
      assert.deepEqual(await get(`/fact/fact?uid=${fact.fact_uid}`), { status: 200, body: fact });
    }
  });

  test('exact search finds the facts naming the entity', async () => {
    for (const fact of spread(oracle.facts, 10)) {
      const name = fact.lh_object_name.toUpperCase();
      const expected = oracle.facts.filter(
        (f) =>
          f.lh_object_name.toLowerCase() === name.toLowerCase() ||
          f.rh_object_name.toLowerCase() === name.toLowerCase(),
      );
      const answer = await getFacts(`/generalSearch/text?searchTerm=${encodeURIComponent(name)}&exactMatch=true`);
      assert.deepEqual(sortedUids(answer), sortedUids(expected), name);
    }
  });
});
