import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ByteTextTable, Float64Column, Int32Column, ownCopy, TextTable } from './fact-columns.js';

describe('Float64Column and Int32Column', () => {
  test('grow past their first chunk without losing values; unset rows read as NaN / 0', () => {
    const uids = new Float64Column();
    const ids = new Int32Column();
    assert.equal(uids.capacity, 0);
    const rows = 200_000; // three 64 Ki chunks and a bit
    for (let row = 0; row < rows; row += 3) {
      uids.set(row, 500_000_000_000 + row);
      ids.set(row, row);
    }
    assert.ok(uids.capacity >= rows);
    for (let row = 0; row < rows; row += 3) {
      assert.equal(uids.get(row), 500_000_000_000 + row);
      assert.equal(ids.get(row), row);
    }
    assert.ok(Number.isNaN(uids.get(1)));
    assert.equal(ids.get(1), 0);
    assert.ok(Number.isNaN(uids.get(10_000_000)), 'far past the end');
    assert.equal(ids.get(10_000_000), 0);
  });

  test('a row set far ahead creates the chunks before it', () => {
    const column = new Float64Column();
    column.set(70_000, 7);
    assert.equal(column.get(70_000), 7);
    assert.ok(Number.isNaN(column.get(0)));
    assert.equal(column.capacity, 2 * 65_536);
  });
});

describe('TextTable', () => {
  test('interns: one id per distinct text, id 0 for ""', () => {
    const table = new TextTable();
    assert.equal(table.idOf(''), 0);
    const pump = table.idOf('pump');
    const machine = table.idOf('machine');
    assert.notEqual(pump, machine);
    assert.equal(table.idOf(['pu', 'mp'].join('')), pump);
    assert.equal(table.text(pump), 'pump');
    assert.equal(table.text(0), '');
    assert.equal(table.size, 3);
    assert.equal(table.existingId('machine'), machine);
    assert.equal(table.existingId('valve'), undefined);
  });

  test('a long text from a larger string is kept as its own copy, equal to it', () => {
    const chunk = `${'x'.repeat(1000)}centrifugal pump with a long name${'y'.repeat(1000)}`;
    const name = chunk.substring(1000, 1033);
    assert.equal(ownCopy(name), name);
    const table = new TextTable();
    assert.equal(table.text(table.idOf(name)), 'centrifugal pump with a long name');
  });
});

describe('ByteTextTable', () => {
  test('keeps texts as UTF-8 across chunks, multi-byte characters and long texts included', () => {
    const table = new ByteTextTable();
    const texts: string[] = [];
    for (let i = 0; i < 40_000; i++) texts.push(`is a kind that is generated kind number ${i} — Größe ${i % 7} µm`);
    texts.push('z'.repeat(200_000)); // longer than a chunk's share: kept as a string
    texts.push('after the long one');
    const ids = texts.map((text) => table.idOf(text));
    assert.equal(new Set(ids).size, texts.length);
    ids.forEach((id, i) => assert.equal(table.text(id), texts[i]));
    assert.equal(table.idOf(''), 0);
    assert.equal(table.text(0), '');
    assert.equal(table.text(table.size + 5), '');
  });

  test('a text repeating the one added just before shares its id; others get new ids', () => {
    const table = new ByteTextTable();
    const a = table.idOf('that pumps');
    assert.equal(table.idOf('that pumps'), a);
    const b = table.idOf('that compresses');
    assert.notEqual(table.idOf('that pumps'), a, 'not looked up further back');
    assert.equal(table.text(b), 'that compresses');
  });
});
