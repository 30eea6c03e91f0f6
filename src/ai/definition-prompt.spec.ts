import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { bundledKnowledgeBasePaths } from '../archivist-server/bundled-knowledge-base.js';
import { FactStore } from '../archivist-server/fact-store.js';
import { loadGellishTables } from '../archivist-server/gellish-table-loader.js';
import { ClarityError } from '../common/clarity-error.js';
import { projectRoot } from '../common/project-root.js';
import { ANYTHING } from '../gellish/gellish-uids.js';
import type { FactSource } from '../semantic/fact-source.js';
import { SemanticModelEngine } from '../semantic/semantic-model-engine.js';
import {
  buildDefinitionPrompt,
  cleanDraft,
  hierarchyLine,
  hierarchyLines,
  specializationChain,
  type ChainModel,
} from './definition-prompt.js';

/**
 * The prompt is built from the models the semantic engine assembles (the production
 * path minus HTTP): the engine over the embedded Archivist's FactStore, loaded by its
 * Gellish table loader — the bundled knowledge base always, TOPini when ../shared has it.
 */
async function engineOver(paths: string[]): Promise<{ engine: SemanticModelEngine; loads: number[] }> {
  const { facts } = await loadGellishTables(paths);
  const store = FactStore.fromFacts(facts.map((f) => f.fact));
  const source: FactSource = {
    allRelatedFacts: async (uid) => store.allRelatedFacts(uid),
    definitiveFacts: async (uid) => store.definitiveFacts(uid),
    subtypesCone: async (uid) => store.subtypesCone(uid),
    relatedOnSubtypeCone: async (lh, rel) => store.relatedOnSubtypeCone(lh, rel),
    classified: async (uid) => store.classified(uid),
    fact: async (uid) => store.fact(uid) ?? null,
  };
  return { engine: new SemanticModelEngine(source), loads: [] };
}

function loader(engine: SemanticModelEngine, loads: number[] = []) {
  return (uid: number): Promise<ChainModel> => {
    loads.push(uid);
    return engine.getModel(uid);
  };
}

async function promptFor(engine: SemanticModelEngine, supertype: number, name: string) {
  return buildDefinitionPrompt(await specializationChain(supertype, loader(engine)), name);
}

async function rejection(promise: Promise<unknown>): Promise<ClarityError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClarityError, String(error));
    return error;
  }
  assert.fail('expected a ClarityError');
}

describe('definition prompt: lines and drafts', () => {
  test('a hierarchy line is "<concept> : is a specialization of : <supertype> :: <partial definition>"', () => {
    assert.equal(
      hierarchyLine('pump', 'rotating equipment', 'that raises the pressure of a liquid.'),
      'pump : is a specialization of : rotating equipment :: that raises the pressure of a liquid.',
    );
    assert.equal(hierarchyLine('x\n y', 'z', ''), 'x y : is a specialization of : z ::');
    assert.equal(hierarchyLine('a', 'b', 'two\nlines  here'), 'a : is a specialization of : b :: two lines here');
  });

  test('lines run from the top of the chain down to the supertype; the root has no line', () => {
    const chain = [
      { uid: 3, name: 'c', supertype: { uid: 2, name: 'b' }, partialDefinition: 'that is c.' },
      { uid: 2, name: 'b', supertype: { uid: ANYTHING, name: 'anything' }, partialDefinition: 'that is b.' },
    ];
    assert.deepEqual(hierarchyLines(chain), [
      'b : is a specialization of : anything :: that is b.',
      'c : is a specialization of : b :: that is c.',
    ]);
    const prompt = buildDefinitionPrompt(chain, 'new c');
    assert.equal(prompt.openLine, 'new c : is a specialization of : c ::');
    assert.equal(prompt.user.split('\n').at(-1), prompt.openLine);
    assert.match(prompt.system, /partial definition only/);
  });

  test('cleanDraft drops a repeated line prefix, quotes and extra blanks', () => {
    const open = 'canned pump : is a specialization of : pump ::';
    assert.equal(cleanDraft('  that has a sealed motor.\n', open), 'that has a sealed motor.');
    assert.equal(cleanDraft(`${open} that has a sealed motor.`, open), 'that has a sealed motor.');
    assert.equal(cleanDraft(':: that has a sealed motor.', open), 'that has a sealed motor.');
    assert.equal(cleanDraft('"that has a sealed motor."', open), 'that has a sealed motor.');
    assert.equal(cleanDraft('that has\n\na  sealed motor.', open), 'that has a sealed motor.');
  });
});

describe('definition prompt over the bundled knowledge base', () => {
  let engine: SemanticModelEngine;
  before(async () => {
    ({ engine } = await engineOver(bundledKnowledgeBasePaths()));
  });

  test('centrifugal pump: the chain up to 730000, top first, its own line last, then the open line', async () => {
    const prompt = await promptFor(engine, 2001002, 'canned motor pump');
    assert.equal(prompt.lines[0], 'concept : is a specialization of : anything :: that is a commonality of things.');
    assert.deepEqual(prompt.lines.slice(-3), [
      'rotating equipment : is a specialization of : equipment item :: that has a rotating shaft that transfers mechanical energy.',
      'pump : is a specialization of : rotating equipment :: that raises the pressure of a liquid to move it through a system.',
      'centrifugal pump : is a specialization of : pump :: that adds energy to the liquid by the centrifugal force of a rotating impeller.',
    ]);
    assert.equal(prompt.openLine, 'canned motor pump : is a specialization of : centrifugal pump ::');
    assert.equal(prompt.user, [...prompt.lines, prompt.openLine].join('\n'));
    // every line's supertype is the concept of the line above it
    for (let i = 1; i < prompt.lines.length; i++) {
      const above = prompt.lines[i - 1]!.split(' : ')[0];
      assert.equal(prompt.lines[i]!.split(' : ')[2]!.split(' ::')[0], above, prompt.lines[i]);
    }
  });

  test('several supertypes: the chain follows the first one (pump → rotating equipment, not fluid handling equipment)', async () => {
    const model = await engine.getKindModel(2001001);
    assert.deepEqual(model.supertypes.slice(0, 2), [2001004, 2001005]);
    const loads: number[] = [];
    const chain = await specializationChain(2001001, loader(engine, loads));
    assert.equal(chain[0]!.supertype?.name, 'rotating equipment');
    assert.ok(!loads.includes(2001005), 'the other branch is not read');
    assert.equal(chain.at(-1)!.supertype?.uid, ANYTHING);
    assert.equal(new Set(loads).size, loads.length, 'each model is read once');
  });

  test('the root as supertype: no hierarchy lines, only the open line', async () => {
    const prompt = await promptFor(engine, ANYTHING, 'widget');
    assert.deepEqual(prompt.lines, []);
    assert.equal(prompt.user, 'widget : is a specialization of : anything ::');
  });

  test('an unknown supertype is NOT_FOUND; an individual is WRONG_NATURE', async () => {
    assert.equal((await rejection(specializationChain(987654321, loader(engine)))).code, 'NOT_FOUND');
    const p101 = 2100001; // P-101, classified as a centrifugal pump
    const error = await rejection(specializationChain(p101, loader(engine)));
    assert.equal(error.code, 'WRONG_NATURE');
    assert.match(error.message, /^Entity with UID 2100001 is an individual, not a kind/);
  });
});

const topini = join(projectRoot(), '..', 'shared', 'data', 'gellish', 'TOPini.csv');
const topiniMissing = existsSync(topini) ? undefined : `TOPini not found at ${topini}`;
if (topiniMissing) process.stdout.write(`# skipping the TOPini prompt specs: ${topiniMissing}\n`);

describe('definition prompt over TOPini', { skip: topiniMissing }, () => {
  let engine: SemanticModelEngine;
  before(async () => {
    ({ engine } = await engineOver([topini]));
  });

  test('log base (924640): operand → conceptual relator → relator → role → aspect → … → anything', async () => {
    const prompt = await promptFor(engine, 924640, 'natural log base');
    assert.deepEqual(
      prompt.lines.map((l) => l.split(' :: ')[0]),
      [
        'concept : is a specialization of : anything',
        'individual object : is a specialization of : concept',
        'aspect : is a specialization of : individual object',
        'role : is a specialization of : aspect',
        'relator : is a specialization of : role',
        'conceptual relator : is a specialization of : relator',
        'operand : is a specialization of : conceptual relator',
        'log base : is a specialization of : operand',
      ],
    );
    assert.equal(
      prompt.lines.at(-1),
      'log base : is a specialization of : operand :: role of a number or variable when being a basis for the kind of logarithm. Typicallly 10 or 2.7182818284, called e.',
    );
    assert.equal(prompt.openLine, 'natural log base : is a specialization of : log base ::');
  });

  test('location coordinates point (552765): a relation kind, nine lines deep', async () => {
    const prompt = await promptFor(engine, 552765, 'grid point');
    assert.equal(prompt.lines.length, 9);
    assert.equal(
      prompt.lines.at(-1),
      'location coordinates point : is a specialization of : coordinates point :: of a location that are composed of distances.',
    );
    assert.equal(
      prompt.lines[2],
      'relation between individual things : is a specialization of : individual object :: that indicates that the related objects are related to each other by an individual relation.',
    );
  });

  test('relation between individual things (5516) has two supertypes: the chain takes the first fact (individual object)', async () => {
    const model = await engine.getKindModel(5516);
    assert.deepEqual(model.supertypes, [730067, 2850]);
    const chain = await specializationChain(5516, loader(engine));
    assert.deepEqual(
      chain.map((c) => c.name),
      ['relation between individual things', 'individual object', 'concept'],
    );
  });

  test('chains of TOPini kinds (several with two supertypes) reach 730000 with one line per step', async () => {
    const sample = [924640, 552765, 4128, 2072, 5516, 4719, 4756, 1330, 1375];
    for (const uid of sample) {
      const chain = await specializationChain(uid, loader(engine));
      assert.equal(chain.at(-1)!.supertype?.uid, ANYTHING, `${uid} reaches the root`);
      assert.equal(hierarchyLines(chain).length, chain.length);
    }
  });
});
