import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Category, RelationType } from '../gellish/gellish-uids.js';
import { bundledKnowledgeBasePaths } from './bundled-knowledge-base.js';
import { FactStore } from './fact-store.js';
import { GENERATED_HUB, generateGellishRows, writeGellishTable } from './gellish-table-generator.js';
import { loadGellishTables } from './gellish-table-loader.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('generated tables are deterministic for a seed and size, and differ with the seed', () => {
  const a = [...generateGellishRows({ facts: 2000, seed: 7 })].join('\n');
  const b = [...generateGellishRows({ facts: 2000, seed: 7 })].join('\n');
  const c = [...generateGellishRows({ facts: 2000, seed: 8 })].join('\n');
  assert.equal(sha(a), sha(b));
  assert.notEqual(sha(a), sha(c));
  assert.equal([...generateGellishRows({ facts: 0 })].length, 0);
  assert.equal([...generateGellishRows({ facts: 1 })].length, 1);
});

test('a generated table loads with the bundled knowledge base without bad rows and has the promised shape', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clarity-gen-'));
  try {
    const file = join(dir, 'gen.csv');
    const summary = await writeGellishTable(file, { facts: 5000, seed: 3 });
    assert.equal(summary.facts, 5000);
    assert.equal((await readFile(file, 'utf8')).trimEnd().split('\n').length, 5001, 'a header and 5000 rows');
    const loaded = await loadGellishTables([...bundledKnowledgeBasePaths(), file]);
    assert.deepEqual(loaded.rejected, []);
    const generated = loaded.facts.filter((l) => l.source.file === file).map((l) => l.fact);
    assert.equal(generated.length, 5000);
    // Kinds about 75%, a hub of direct subtypes, aspects, parts, individuals with values.
    const store = new FactStore(loaded.facts);
    const count = (rel: number) => generated.filter((f) => f.rel_type_uid === rel).length;
    assert.ok(summary.kinds + summary.aspectKinds > 0.7 * 5000 && summary.kinds + summary.aspectKinds < 0.8 * 5000);
    assert.ok(summary.hubSubtypes > 250 && summary.hubSubtypes < 500, String(summary.hubSubtypes));
    const hubSubtypes = store
      .factsWithRight(GENERATED_HUB)
      .filter((f) => f.rel_type_uid === RelationType.SPECIALIZATION);
    assert.ok(hubSubtypes.length >= summary.hubSubtypes);
    assert.ok(count(RelationType.CONCEPTUAL_ASPECT_POSSESSION) > 100);
    assert.ok(count(RelationType.CONCEPTUAL_ASSEMBLY) > 100);
    assert.ok(count(RelationType.ASPECT_POSSESSION) > 50);
    const values = generated.filter((f) => f.rel_type_uid === RelationType.VALUE_ON_SCALE);
    assert.ok(values.length > 50 && values.every((f) => f.uom_uid !== undefined && f.uom_name));
    // A deep tree: some generated kind lies at least 8 specializations below the hub.
    const depth = (uid: number): number => {
      let d = 0;
      for (let u = uid; u !== GENERATED_HUB && d < 1000; d++) {
        const up = store.factsWithLeft(u).find((f) => f.rel_type_uid === RelationType.SPECIALIZATION);
        if (!up) return -1;
        u = up.rh_object_uid;
      }
      return d;
    };
    const kinds = generated.filter(
      (f) => f.rel_type_uid === RelationType.SPECIALIZATION && f.lh_object_name.startsWith('kind'),
    );
    assert.ok(Math.max(...kinds.map((f) => depth(f.lh_object_uid))) >= 8);
    assert.equal(store.category(kinds[kinds.length - 1].lh_object_uid), 'physical object');
    const aspect = generated.find((f) => f.lh_object_name.startsWith('aspect'));
    assert.equal(store.category(aspect?.lh_object_uid ?? 0), 'aspect');
    assert.equal(store.nature(Category.PHYSICAL_OBJECT), 'kind');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
