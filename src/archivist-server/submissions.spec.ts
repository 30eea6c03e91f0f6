import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSubmission } from './submissions.js';

describe('parseSubmission', () => {
  test('accepts well-formed bodies', () => {
    assert.deepEqual(parseSubmission('definition', { fact_uid: 5, partial_definition: 'p', full_definition: 'f' }), {
      ok: true,
      submission: { kind: 'definition', fact_uid: 5, partial_definition: 'p', full_definition: 'f' },
    });
    assert.deepEqual(parseSubmission('name', { fact_uid: 5, name: ' pump ' }), {
      ok: true,
      submission: { kind: 'name', fact_uid: 5, name: 'pump' },
    });
    assert.deepEqual(parseSubmission('collection', { fact_uid: 5, collection_uid: 7, collection_name: 'c' }), {
      ok: true,
      submission: { kind: 'collection', fact_uid: 5, collection_uid: 7, collection_name: 'c' },
    });
  });
  test('names the first bad field', () => {
    const cases: Array<[Parameters<typeof parseSubmission>[0], unknown, RegExp]> = [
      ['name', null, /JSON object/],
      ['name', [1], /JSON object/],
      ['name', { name: 'x' }, /fact_uid/],
      ['name', { fact_uid: '5', name: 'x' }, /fact_uid/],
      ['name', { fact_uid: 1.5, name: 'x' }, /fact_uid/],
      ['name', { fact_uid: 5, name: '  ' }, /name/],
      ['definition', { fact_uid: 5, full_definition: 'f' }, /partial_definition/],
      ['definition', { fact_uid: 5, partial_definition: 'p', full_definition: 3 }, /full_definition/],
      ['collection', { fact_uid: 5, collection_uid: -1, collection_name: 'c' }, /collection_uid/],
      ['collection', { fact_uid: 5, collection_uid: 1 }, /collection_name/],
    ];
    for (const [kind, body, error] of cases) {
      const result = parseSubmission(kind, body);
      assert.ok(!result.ok, JSON.stringify(body));
      assert.match(result.error, error);
    }
  });
});
