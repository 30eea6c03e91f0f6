import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClarityError } from '../common/clarity-error.js';
import type { Fact } from '../gellish/fact.js';
import { WorkflowCatalog, WorkflowDefinitionError } from './workflow-catalog.js';
import type { WorkflowDefinition } from './workflow-definition.js';
import { WORKFLOW_DEFINITIONS } from './workflow-definitions.js';
import type { WorkflowGraph } from './workflow-graph.js';
import { WorkflowMachine } from './workflow-machine.js';
import type { WorkflowState } from './workflow-state.js';

/** A small graph: entity uid → name and direct supertypes (1146), plus other facts. */
const ENTITIES: Record<number, { name: string; supertypes: number[] }> = {
  730000: { name: 'anything', supertypes: [] },
  730044: { name: 'physical object', supertypes: [730000] },
  790229: { name: 'aspect', supertypes: [730000] },
  193671: { name: 'occurrence', supertypes: [730000] },
  730063: { name: 'artefact', supertypes: [730044] },
  730019: { name: 'solid item', supertypes: [730044] },
  551008: { name: 'quality', supertypes: [790229] },
  193424: { name: 'process', supertypes: [193671] },
  900001: { name: 'red', supertypes: [] }, // a qualitative subtype of quality (1726 below)
};
const QUALIFICATIONS: Record<number, number[]> = { 900001: [551008] };

class FakeGraph implements WorkflowGraph {
  calls = 0;
  async entity(uid: number) {
    this.calls++;
    const e = ENTITIES[uid];
    return e ? { uid, name: e.name } : null;
  }
  async lineage(uid: number) {
    const out = new Set<number>();
    const visit = (u: number) => {
      for (const s of [...(ENTITIES[u]?.supertypes ?? []), ...(QUALIFICATIONS[u] ?? [])]) {
        if (!out.has(s)) {
          out.add(s);
          visit(s);
        }
      }
    };
    visit(uid);
    return [...out];
  }
  async related(uid: number, rel: number) {
    return rel === 1726 ? (QUALIFICATIONS[uid] ?? []) : [];
  }
}

const machine = (definitions: readonly WorkflowDefinition[] = WORKFLOW_DEFINITIONS) =>
  new WorkflowMachine(new WorkflowCatalog(definitions), new FakeGraph());

async function refusal(code: string, work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof ClarityError, String(error));
    assert.equal(error.code, code, error.message);
    return error.message;
  }
  assert.fail(`expected ${code}`);
}

/** Drives new-physical-object to its last step with a new-qualitative-aspect child. */
async function physicalObjectWithChild(m: WorkflowMachine): Promise<WorkflowState> {
  let s = m.start(undefined, 'new-physical-object');
  s = await m.set(s, 'New Concept', { name: 'widget' });
  s = await m.set(s, 'Supertype Concept', { uid: 730063 });
  s = await m.set(s, 'definition', { name: 'is an artefact that widgets' });
  s = await m.next(s);
  s = await m.set(s, 'Syn', { name: 'gadget' });
  s = await m.next(s);
  s = m.branch(s, 'qualitative aspect', 'new-qualitative-aspect');
  s = await m.set(s, 'qualitative aspect', { name: 'widget red' });
  s = await m.set(s, 'Conceptual Aspect', { uid: 551008 });
  s = await m.pop(s);
  s = await m.next(s); // define-qualitative-aspect: left empty
  s = await m.next(s);
  s = await m.set(s, 'Function', { uid: 193424 });
  s = await m.next(s);
  s = await m.set(s, 'Part Object', { uid: 730019 });
  return s;
}

describe('WorkflowMachine', () => {
  test('new-physical-object with a new-qualitative-aspect child: exactly the facts of §9', async () => {
    const m = machine();
    const s = await physicalObjectWithChild(m);
    assert.deepEqual(m.facts(s), [
      {
        lh_object_uid: 1,
        lh_object_name: 'widget',
        rel_type_uid: 1146,
        rel_type_name: 'is a specialization of',
        rh_object_uid: 730063,
        rh_object_name: 'artefact',
        full_definition: 'is an artefact that widgets',
      },
      // the synonym's left object is the new concept itself (same uid) under the other name
      {
        lh_object_uid: 1,
        lh_object_name: 'gadget',
        rel_type_uid: 1981,
        rel_type_name: 'is a synonym of',
        rh_object_uid: 1,
        rh_object_name: 'widget',
      },
      {
        lh_object_uid: 1,
        lh_object_name: 'widget',
        rel_type_uid: 5283,
        rel_type_name: 'is by definition',
        rh_object_uid: 2,
        rh_object_name: 'widget red',
      },
      {
        lh_object_uid: 1,
        lh_object_name: 'widget',
        rel_type_uid: 5536,
        rel_type_name: 'has by definition as intended function',
        rh_object_uid: 193424,
        rh_object_name: 'process',
      },
      {
        lh_object_uid: 730019,
        lh_object_name: 'solid item',
        rel_type_uid: 1190,
        rel_type_name: 'is a part of',
        rh_object_uid: 1,
        rh_object_name: 'widget',
      },
      // the child's fact: the new qualitative aspect, same temporary uid as the parent's field
      {
        lh_object_uid: 2,
        lh_object_name: 'widget red',
        rel_type_uid: 1726,
        rel_type_name: 'is a qualitative subtype of',
        rh_object_uid: 551008,
        rh_object_name: 'quality',
      },
    ]);
    const view = m.view(s);
    assert.equal(view.status, 'in-progress');
    assert.equal(view.step.id, 'specify-defining-components-of-physical-object');
    assert.equal(view.tree.length, 1);
  });

  test('optional steps all empty create nothing; a partly filled step creates only its complete facts', async () => {
    const m = machine();
    let s = m.start(undefined, 'new-physical-object');
    s = await m.set(s, 'New Concept', { name: 'thing' });
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    s = await m.set(s, 'definition', { name: 'def' });
    assert.deepEqual(
      m.facts(s).map((f) => f.rel_type_uid),
      [1146],
    );
    s = await m.next(s);
    s = await m.set(s, 'Code', { name: 'T-1' }); // Syn and Abbrv empty
    assert.deepEqual(
      m.facts(s).map((f) => [f.lh_object_uid, f.lh_object_name, f.rel_type_uid, f.rh_object_uid]),
      [
        [1, 'thing', 1146, 730063],
        [1, 'T-1', 1983, 1],
      ],
    );
    // step 4 with only the conceptual aspect: its fact needs a new qualitative aspect, so none
    s = await m.next(s);
    s = await m.next(s);
    s = await m.set(s, 'Conceptual Aspect', { uid: 551008 });
    assert.equal(m.facts(s).length, 2);
    s = await m.set(s, 'qualitative aspect', { name: 'shiny' });
    assert.deepEqual(m.facts(s).at(-1), {
      lh_object_uid: 2,
      lh_object_name: 'shiny',
      rel_type_uid: 1726,
      rel_type_name: 'is a qualitative subtype of',
      rh_object_uid: 551008,
      rh_object_name: 'quality',
    });
  });

  test('graph fields: unknown uid, temporary uid and a failing pattern are BAD_REQUEST naming the field and the pattern', async () => {
    const m = machine();
    const s = m.start(undefined, 'new-physical-object');
    assert.match(
      await refusal('BAD_REQUEST', () => m.set(s, 'Supertype Concept', { uid: 123456 })),
      /Field 'Supertype Concept': entity with UID 123456 not found/,
    );
    assert.match(await refusal('BAD_REQUEST', () => m.set(s, 'Supertype Concept', { uid: 7 })), /temporary uid/);
    const wrong = await refusal('BAD_REQUEST', () => m.set(s, 'Supertype Concept', { uid: 551008 }));
    assert.match(wrong, /Field 'Supertype Concept': UID 551008 \(quality\) does not satisfy/);
    assert.match(wrong, /'\?1\.Supertype Concept > 1146\.is a specialization of > 730044\.physical object'/);
    assert.match(await refusal('BAD_REQUEST', () => m.set(s, 'Function', { uid: 193424 })), /not a field of step/);
    // the physical object root itself is a physical object (a root is its own category)
    await m.set(s, 'Supertype Concept', { uid: 730044 });
  });

  test('a qualitative aspect must be a qualitative subtype of an aspect (two patterns, one unnamed variable)', async () => {
    const m = machine();
    let s = m.start(undefined, 'new-physical-object');
    s = await m.set(s, 'New Concept', { name: 'x' });
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    s = await m.set(s, 'definition', { name: 'd' });
    s = await m.next(s);
    s = await m.next(s);
    const message = await refusal('BAD_REQUEST', () => m.set(s, 'qualitative aspect', { uid: 551008 }));
    assert.match(message, /Field 'qualitative aspect'/);
    assert.match(message, /'\?3\.qualitative aspect > 1726\.is a qualitative subtype of > \?2'/);
    s = await m.set(s, 'qualitative aspect', { uid: 900001 });
    assert.deepEqual(m.view(s).fields['qualitative aspect'], { uid: 900001, name: 'red' });
  });

  test('next refuses to leave a required step with an empty field; back and next move between steps', async () => {
    const m = machine();
    let s = m.start(undefined, 'new-physical-object');
    s = await m.set(s, 'New Concept', { name: 'x' });
    assert.match(
      await refusal('BAD_REQUEST', () => m.next(s)),
      /Required field 'Supertype Concept' of step 'define-supertype-physical-object'/,
    );
    await refusal('BAD_REQUEST', () => m.back(s));
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    s = await m.set(s, 'definition', { name: 'd' });
    s = await m.next(s);
    assert.equal(m.view(s).stepIndex, 1);
    s = m.back(s);
    assert.equal(m.view(s).step.id, 'define-supertype-physical-object');
    // clearing a field (neither uid nor name)
    s = await m.set(s, 'definition', {});
    await refusal('BAD_REQUEST', () => m.next(s));
  });

  test('branch and pop: the child sees the parent fields, its own non-empty value wins, its result fills the field', async () => {
    const m = machine();
    let s = m.start(undefined, 'new-physical-object');
    s = await m.set(s, 'New Concept', { name: 'pump' });
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    s = await m.set(s, 'definition', { name: 'd' });
    for (let i = 0; i < 5; i++) s = await m.next(s);
    await refusal('BAD_REQUEST', () => m.branch(s, 'Part Object', 'new-qualitative-aspect'));
    s = m.branch(s, 'Part Object', 'new-physical-object');
    let view = m.view(s);
    assert.equal(view.workflowId, 'new-physical-object');
    assert.equal(view.stepIndex, 0);
    assert.deepEqual(
      view.tree.map((t) => t.workflowId),
      ['new-physical-object', 'new-physical-object'],
    );
    assert.equal(view.tree[1]!.fills, 'Part Object');
    assert.deepEqual(view.fields['New Concept'], { uid: 1, name: 'pump' }, 'sees the parent field');
    // the child's required field is its own: the parent's value does not fill it
    await refusal('BAD_REQUEST', () => m.pop(s));
    s = await m.set(s, 'New Concept', { name: 'impeller' });
    s = await m.set(s, 'Supertype Concept', { uid: 730019 });
    s = await m.set(s, 'definition', { name: 'a part' });
    view = m.view(s);
    assert.deepEqual(view.fields['New Concept'], { uid: 2, name: 'impeller' }, 'own value wins');
    assert.equal(view.facts.length, 1, 'open children are not in the facts yet');
    await refusal('WORKFLOW_STATE', () => m.readyForSubmission(s));
    s = await m.pop(s);
    view = m.view(s);
    assert.equal(view.tree.length, 1);
    assert.deepEqual(view.fields['Part Object'], { uid: 2, name: 'impeller' });
    assert.deepEqual(
      view.facts.map((f) => [f.lh_object_uid, f.rel_type_uid, f.rh_object_uid]),
      [
        [1, 1146, 730063],
        [2, 1190, 1],
        [2, 1146, 730019],
      ],
    );
    await refusal('WORKFLOW_STATE', () => m.pop(s));
    // setting the field again drops the child's facts
    s = await m.set(s, 'Part Object', { uid: 730019 });
    assert.deepEqual(
      m.facts(s).map((f) => [f.lh_object_uid, f.rel_type_uid, f.rh_object_uid]),
      [
        [1, 1146, 730063],
        [730019, 1190, 1],
      ],
    );
  });

  test('a popped child is checked against what it creates: the parent pattern holds through the child facts', async () => {
    const m = machine();
    let s = m.start(undefined, 'new-physical-object');
    s = await m.set(s, 'New Concept', { name: 'p' });
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    s = await m.set(s, 'definition', { name: 'd' });
    s = await m.next(s);
    s = await m.next(s);
    s = m.branch(s, 'qualitative aspect', 'new-qualitative-aspect');
    s = await m.set(s, 'qualitative aspect', { name: 'bright' });
    // grandchild: a new conceptual aspect below "quality"
    s = m.branch(s, 'Conceptual Aspect', 'new-conceptual-aspect');
    assert.match(
      await refusal('BAD_REQUEST', () => m.set(s, 'Supertype Concept', { uid: 730063 })),
      /Field 'Supertype Concept'.*> 790229\.aspect'/,
    );
    s = await m.set(s, 'Supertype Concept', { uid: 551008 });
    s = await m.set(s, 'Conceptual Aspect', { name: 'brightness' });
    s = await m.pop(s);
    s = await m.pop(s);
    assert.deepEqual(
      m.facts(s).map((f) => [f.lh_object_uid, f.lh_object_name, f.rel_type_uid, f.rh_object_uid]),
      [
        [1, 'p', 1146, 730063],
        [1, 'p', 5283, 2],
        [2, 'bright', 1726, 3],
        [3, 'brightness', 1146, 551008],
      ],
    );
  });

  test('statuses: validate → pending, finalize result, abandon; operations in the wrong status are WORKFLOW_STATE', async () => {
    const m = machine();
    let s = await physicalObjectWithChild(m);
    assert.equal(m.readyForSubmission(s).length, 6);
    await refusal('WORKFLOW_STATE', () => m.withSubmission(s, 'id-1'));
    s = m.validated(s);
    assert.equal(m.view(s).status, 'pending');
    await refusal('WORKFLOW_STATE', () => m.start(s, 'new-physical-object'));
    // a change after validation makes it in progress again
    const edited = await m.set(s, 'Part Object', { uid: 730019 });
    assert.equal(edited.status, 'in-progress');
    const submitted = m.withSubmission(s, 'id-1', new Date(0));
    assert.equal(submitted.submission!.facts.length, 6);
    assert.deepEqual(
      submitted.submission!.entities.map((e) => [e.field, e.temporaryUid, e.name]),
      [
        ['New Concept', 1, 'widget'],
        ['qualitative aspect', 2, 'widget red'],
      ],
    );
    // once submitted, nothing may change it but finalize
    await refusal('WORKFLOW_STATE', () => m.set(submitted, 'Part Object', { uid: 730019 }));
    await refusal('WORKFLOW_STATE', () => m.abandon(submitted));
    const accepted: Fact[] = submitted.submission!.facts.map((f, i) => ({
      ...f,
      fact_uid: 5000 + i,
      lh_object_uid: f.lh_object_uid === 1 ? 4001 : f.lh_object_uid === 2 ? 4002 : f.lh_object_uid,
      rh_object_uid: f.rh_object_uid === 1 ? 4001 : f.rh_object_uid === 2 ? 4002 : f.rh_object_uid,
    }));
    const done = m.completed(submitted, accepted);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.result!.created, [
      { field: 'New Concept', uid: 4001, name: 'widget' },
      { field: 'qualitative aspect', uid: 4002, name: 'widget red' },
    ]);
    await refusal('WORKFLOW_STATE', () => m.next(done));
    await refusal('WORKFLOW_STATE', () => m.abandon(done));
    const restarted = m.start(done, 'new-conceptual-aspect');
    assert.equal(restarted.status, 'in-progress');

    const abandoned = m.abandon(await physicalObjectWithChild(m));
    assert.equal(abandoned.status, 'abandoned');
    for (const op of [
      () => m.set(abandoned, 'Part Object', { uid: 730019 }),
      () => m.next(abandoned),
      () => m.back(abandoned),
      () => m.branch(abandoned, 'Part Object', 'new-physical-object'),
      () => m.pop(abandoned),
      () => m.readyForSubmission(abandoned),
      () => m.withSubmission(abandoned, 'x'),
      () => m.abandon(abandoned),
    ]) {
      await refusal('WORKFLOW_STATE', op);
    }
  });

  test('unknown workflow is BAD_REQUEST; the state is plain JSON and operations never change their input', async () => {
    const m = machine();
    await refusal('BAD_REQUEST', () => m.start(undefined, 'nope'));
    const s = m.start(undefined, 'new-conceptual-aspect');
    const before = JSON.stringify(s);
    const after = await m.set(s, 'Conceptual Aspect', { name: 'c' });
    assert.equal(JSON.stringify(s), before);
    assert.deepEqual(JSON.parse(JSON.stringify(after)), after);
  });

  test('a workflow added as data (no engine change) is driven like the others', async () => {
    const extra: WorkflowDefinition = {
      id: 'new-occurrence-with-participant',
      result: 'Occurrence',
      steps: [
        {
          id: 'name-occurrence',
          required: true,
          fields: [
            { name: 'Occurrence', source: 'text' },
            { name: 'Supertype', source: 'graph' },
            { name: 'Description', source: 'text', plain: true, optional: true },
          ],
          holds: ['?1.Supertype > 1146.is a specialization of > 193671.occurrence'],
          creates: [
            { pattern: '?2.Occurrence > 1146.is a specialization of > ?1.Supertype', fullDefinition: 'Description' },
          ],
        },
        {
          id: 'participant',
          required: false,
          fields: [{ name: 'Participant', source: 'graph', children: ['new-physical-object'] }],
          holds: ['?3.Participant > 1146.is a specialization of > 730044.physical object'],
          creates: [{ pattern: '?2.Occurrence > 4648.can be involved in a > ?3.Participant' }],
        },
      ],
    };
    const m = machine([...WORKFLOW_DEFINITIONS, extra]);
    let s = m.start(undefined, 'new-occurrence-with-participant');
    await refusal('BAD_REQUEST', () => m.set(s, 'Supertype', { uid: 730063 }));
    s = await m.set(s, 'Supertype', { uid: 193424 });
    s = await m.set(s, 'Occurrence', { name: 'pumping' });
    s = await m.next(s); // Description is optional
    s = m.branch(s, 'Participant', 'new-physical-object');
    s = await m.set(s, 'New Concept', { name: 'pump' });
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    s = await m.set(s, 'definition', { name: 'moves fluid' });
    s = await m.pop(s);
    assert.deepEqual(
      m.readyForSubmission(s).map((f) => [f.lh_object_uid, f.rel_type_uid, f.rh_object_uid]),
      [
        [1, 1146, 193424],
        [1, 4648, 2],
        [2, 1146, 730063],
      ],
    );
  });

  test('draftRequest: the name and supertype an AI draft of the definition needs, from the fields the data names', async () => {
    const m = machine();
    let s = m.start(undefined, 'new-physical-object');
    assert.match(await refusal('BAD_REQUEST', () => m.draftRequest(s, 'definition')), /Field 'New Concept' is empty/);
    assert.match(await refusal('BAD_REQUEST', () => m.draftRequest(s, 'New Concept')), /cannot be drafted/);
    s = await m.set(s, 'New Concept', { name: 'slurry pump' });
    assert.match(
      await refusal('BAD_REQUEST', () => m.draftRequest(s, 'definition')),
      /Field 'Supertype Concept' is empty/,
    );
    s = await m.set(s, 'Supertype Concept', { uid: 730063 });
    assert.deepEqual(m.draftRequest(s, 'definition'), { supertype_uid: 730063, name: 'slurry pump' });
    assert.throws(
      () =>
        new WorkflowCatalog([
          {
            id: 'w',
            result: 'A',
            steps: [
              {
                id: 's',
                required: true,
                fields: [
                  { name: 'A', source: 'text' },
                  { name: 'B', source: 'text', plain: true, draft: { name: 'A', supertype: 'A' } },
                ],
              },
            ],
          },
        ]),
      /drafted field/,
    );
  });

  test('a bad definition table is refused at load, naming what is wrong', () => {
    const base = WORKFLOW_DEFINITIONS[2]!;
    assert.throws(() => new WorkflowCatalog([base, base]), WorkflowDefinitionError);
    assert.throws(
      () => new WorkflowCatalog([{ ...base, result: 'Supertype Concept' }]),
      /result 'Supertype Concept' must be a text field/,
    );
    assert.throws(
      () =>
        new WorkflowCatalog([
          { ...base, steps: [{ ...base.steps[0]!, holds: ['?1.Supertype Concept > 1146 > ?7', '?7 > 1146 > ?8x'] }] },
        ]),
      WorkflowDefinitionError,
    );
    assert.throws(
      () => new WorkflowCatalog([{ ...base, steps: [{ ...base.steps[0]!, holds: ['?5 > 1146.x > 790229'] }] }]),
      /variable \?5/,
    );
    assert.throws(() => new WorkflowCatalog([WORKFLOW_DEFINITIONS[0]!]), /unknown child workflow/);
  });
});
