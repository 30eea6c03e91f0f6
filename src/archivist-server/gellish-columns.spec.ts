import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { indexHeader, mapRowToFact, missingRequiredColumns, parseGellishInteger } from './gellish-columns.js';

describe('parseGellishInteger', () => {
  test('reads plain digits and thousands separators', () => {
    assert.equal(parseGellishInteger('2345'), 2345);
    assert.equal(parseGellishInteger('2,345'), 2345);
    assert.equal(parseGellishInteger(' 1,001,090 '), 1001090);
    assert.equal(parseGellishInteger('0'), 0);
  });
  test('rejects what is not an integer', () => {
    for (const text of ['', 'abc', '1,1', '12,34', '1.5', '-3', '1,,146', ',146', '99999999999999999999']) {
      assert.equal(parseGellishInteger(text), undefined, text);
    }
  });
});

describe('header', () => {
  test('indexes column ids, first occurrence wins, blanks ignored', () => {
    const index = indexHeader(['0', ' 1 ', '2', '', '1']);
    assert.equal(index.get('1'), 1);
    assert.equal(index.get('2'), 2);
    assert.equal(index.has(''), false);
  });
  test('names the missing required columns', () => {
    assert.deepEqual(missingRequiredColumns(indexHeader(['1', '2', '15'])), ['60']);
    assert.deepEqual(missingRequiredColumns(indexHeader(['1', '2', '60', '15'])), []);
  });
});

describe('mapRowToFact', () => {
  const header = [
    '0',
    '1',
    '2',
    '101',
    '60',
    '3',
    '15',
    '201',
    '65',
    '4',
    '66',
    '7',
    '50',
    '68',
    '8',
    '9',
    '10',
    '12',
    '44',
  ];
  const index = indexHeader(header);
  const row = (cells: Record<string, string>): string[] => header.map((id) => cells[id] ?? '');

  test('maps every column and omits empty optional fields', () => {
    const result = mapRowToFact(
      row({
        '0': '7',
        '1': '1,001,090',
        '2': '900,001',
        '101': 'pump',
        '60': '2,345',
        '3': 'is a specialization of',
        '15': '900,002',
        '201': 'machine',
        '66': '5,001',
        '7': 'bar',
        '12': 'me',
        '44': '1,1',
      }),
      index,
      header.length,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.fact, {
      fact_uid: 1001090,
      lh_object_uid: 900001,
      lh_object_name: 'pump',
      rel_type_uid: 2345,
      rel_type_name: 'is a specialization of',
      rh_object_uid: 900002,
      rh_object_name: 'machine',
      uom_uid: 5001,
      uom_name: 'bar',
      author: 'me',
    });
    assert.equal('partial_definition' in result.fact, false);
    assert.deepEqual(result.extraColumns, { '0': '7', '44': '1,1' });
  });

  test('rejects short and long rows, empty and non-numeric uids', () => {
    const good = row({ '1': '1', '2': '2', '60': '3', '15': '4' });
    const short = mapRowToFact(good.slice(0, 5), index, header.length);
    assert.ok(!short.ok && /short row: 5 fields, header has 19/.test(short.reason));
    const long = mapRowToFact([...good, 'x'], index, header.length);
    assert.ok(!long.ok && /long row/.test(long.reason));
    const empty = mapRowToFact(row({ '1': '1', '2': '2', '15': '4' }), index, header.length);
    assert.ok(!empty.ok && /column 60/.test(empty.reason));
    const bad = mapRowToFact(row({ '1': '1', '2': 'x2', '60': '3', '15': '4' }), index, header.length);
    assert.ok(!bad.ok && /column 2 .*not an integer/.test(bad.reason));
    const badOptional = mapRowToFact(
      row({ '1': '1', '2': '2', '60': '3', '15': '4', '50': 'coll' }),
      index,
      header.length,
    );
    assert.ok(!badOptional.ok && /column 50/.test(badOptional.reason));
  });
});
