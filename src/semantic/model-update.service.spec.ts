import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../logging/logging.module.js';
import type { ArchivistClient } from '../archivist/archivist-client.js';
import type { ChangeLogOutbox } from '../change-log/change-log-outbox.js';
import { ClarityError } from '../common/clarity-error.js';
import type { Fact } from '../gellish/fact.js';
import { ModelUpdateService, type ModelUpdatedEvent } from './model-update.service.js';
import type { SemanticModelService } from './semantic-model.service.js';

const FACT: Fact = {
  fact_uid: 3000229,
  lh_object_uid: 2001010,
  lh_object_name: 'electric motor',
  rel_type_uid: 1146,
  rel_type_name: 'is a specialization of',
  rh_object_uid: 2001004,
  rh_object_name: 'rotating equipment',
  partial_definition: 'old partial',
  full_definition: 'old full',
};

/** ModelUpdateService over recording fakes of the Archivist, the model service and the change log. */
function setup({ failOn }: { failOn?: 'name' | 'definition' | 'collection' } = {}) {
  const calls: string[] = [];
  const rows: Array<{ field: string; newValue: unknown }> = [];
  const refuse = (what: string) => {
    if (failOn === what) throw new ClarityError('ARCHIVIST_UNAVAILABLE', 'Archivist service unavailable');
  };
  const archivist = {
    submitName: async (input: unknown) => {
      refuse('name');
      calls.push(`name ${JSON.stringify(input)}`);
      return null;
    },
    submitDefinition: async (input: unknown) => {
      refuse('definition');
      calls.push(`definition ${JSON.stringify(input)}`);
      return null;
    },
    submitCollection: async (input: unknown) => {
      refuse('collection');
      calls.push(`collection ${JSON.stringify(input)}`);
      return null;
    },
    fact: async (uid: number) => (uid === FACT.fact_uid ? FACT : null),
    // What a rename invalidates besides the entity: its related facts and ancestors.
    allRelatedFacts: async () => [FACT],
    definitiveFacts: async (uid: number) => (uid === FACT.lh_object_uid ? [FACT] : []),
  } as unknown as ArchivistClient;
  const models = {
    definitiveFactFor: async (uid: number) => {
      if (uid !== FACT.lh_object_uid) throw ClarityError.notFound(uid);
      return FACT;
    },
    getModel: async (uid: number) => ({ uid, fresh: true }),
  } as unknown as SemanticModelService;
  const changeLog = {
    record: async (input: { field: string; newValue: unknown }) => {
      rows.push({ field: input.field, newValue: input.newValue });
      return 'written';
    },
  } as unknown as ChangeLogOutbox;
  const logger = { info: () => undefined, error: () => undefined } as unknown as Logger;
  const service = new ModelUpdateService(archivist, models, changeLog, logger);
  const events: ModelUpdatedEvent[] = [];
  service.onUpdated((e) => events.push(e));
  return { service, calls, rows, events };
}

describe('ModelUpdateService.updateModel (clarity.model/update)', () => {
  test('applies name, then definition (the missing half kept), then collection, each logged; answers the model', async () => {
    const t = setup();
    const model = await t.service.updateModel('alice', {
      modelId: 2001010,
      name: 'e-motor',
      data: { full_definition: 'new full', collection_uid: 9, collection_name: 'plant' },
    });
    assert.deepEqual(model, { uid: 2001010, fresh: true });
    assert.deepEqual(t.calls, [
      'name {"fact_uid":3000229,"name":"e-motor"}',
      'definition {"fact_uid":3000229,"partial_definition":"old partial","full_definition":"new full"}',
      'collection {"fact_uid":3000229,"collection_uid":9,"collection_name":"plant"}',
    ]);
    assert.deepEqual(
      t.rows.map((r) => r.field),
      ['name', 'definition', 'collection'],
    );
    assert.deepEqual(t.rows[1]!.newValue, { partial_definition: 'old partial', full_definition: 'new full' });
    assert.deepEqual(
      t.events.map((e) => [e.uid, e.change.field, e.change.changedBy]),
      [
        [2001010, 'name', 'alice'],
        [2001010, 'definition', 'alice'],
        [2001010, 'collection', 'alice'],
      ],
    );
  });

  test('only what is given is applied', async () => {
    const t = setup();
    await t.service.updateModel('bob', { modelId: 2001010, data: { partial_definition: 'p' } });
    assert.deepEqual(
      t.rows.map((r) => r.field),
      ['definition'],
    );
  });

  test('an unknown entity is NOT_FOUND before anything is applied', async () => {
    const t = setup();
    await assert.rejects(t.service.updateModel('alice', { modelId: 5, name: 'x' }), { code: 'NOT_FOUND' });
    assert.deepEqual(t.calls, []);
  });

  test('a failure after an applied change keeps its code and says what was applied', async () => {
    const t = setup({ failOn: 'collection' });
    await assert.rejects(
      t.service.updateModel('alice', {
        modelId: 2001010,
        name: 'n',
        data: { partial_definition: 'p', collection_uid: 1, collection_name: 'c' },
      }),
      (e: unknown) =>
        e instanceof ClarityError &&
        e.code === 'ARCHIVIST_UNAVAILABLE' &&
        e.message === 'Archivist service unavailable (already applied: name, definition)',
    );
    const first = setup({ failOn: 'name' });
    await assert.rejects(first.service.updateModel('alice', { modelId: 2001010, name: 'n' }), {
      message: 'Archivist service unavailable',
    });
  });
});
