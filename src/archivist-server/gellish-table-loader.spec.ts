import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FactStore } from './fact-store.js';
import { GellishLoadError, loadGellishTables } from './gellish-table-loader.js';
import type { ArchivistLogger } from './archivist-logger.js';
import { Category, RelationType } from '../gellish/gellish-uids.js';

const SPEC = RelationType.SPECIALIZATION;
const SPEC_GROUPED = `"${SPEC.toLocaleString('en-US')}"`;
const PHYSICAL_OBJECT = Category.PHYSICAL_OBJECT;

const HEADER = '1,2,101,60,3,15,201,65,4,50,68,99';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archivist-loader-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function table(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content, 'utf8');
  return file;
}

function recordingLogger(): ArchivistLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

describe('loadGellishTables', () => {
  test('BOM, quoted commas, thousands separators, empty optional fields and kept extra columns', async () => {
    const file = await table(
      'good.csv',
      '\ufeff' +
        HEADER +
        '\n' +
        `"1,001",900001,"pump, centrifugal",${SPEC_GROUPED},is a specialization of,"900,002",machine,,"is a machine, that pumps","5,000",pumps,x y\n` +
        `1002,900003,"multi\nline name",${SPEC},is a specialization of,900002,machine,,,,,\n`,
    );
    const result = await loadGellishTables([file]);
    assert.equal(result.rejected.length, 0);
    assert.equal(result.facts.length, 2);
    const [first, second] = result.facts;
    assert.deepEqual(first!.fact, {
      fact_uid: 1001,
      lh_object_uid: 900001,
      lh_object_name: 'pump, centrifugal',
      rel_type_uid: SPEC,
      rel_type_name: 'is a specialization of',
      rh_object_uid: 900002,
      rh_object_name: 'machine',
      full_definition: 'is a machine, that pumps',
      collection_uid: 5000,
      collection_name: 'pumps',
    });
    assert.deepEqual(first!.extraColumns, { '99': 'x y' });
    assert.equal(first!.source.line, 2);
    assert.equal(second!.fact.lh_object_name, 'multi\nline name');
    assert.equal(second!.source.line, 3);
    assert.deepEqual(second!.extraColumns, {});
    assert.equal(result.summary, 'loaded 2 facts from 1 files, rejected 0 rows');
  });

  test('bad rows are reported with file and line and skipped', async () => {
    const file = await table(
      'bad.csv',
      [
        HEADER,
        `1,10,a,${SPEC},r,20,b,,,,,`, // line 2 ok
        `2,10,a,${SPEC}`, // line 3 short
        `3,x10,a,${SPEC},r,20,b,,,,,`, // line 4 bad number
        '4,10,a,,r,20,b,,,,,', // line 5 empty relation uid
        `1,11,a,${SPEC},r,20,b,,,,,`, // line 6 duplicate fact uid
        '',
        ',,,,,,,,,,,', // line 8 all empty: ignored
        `5,"1,1",a,${SPEC},r,20,b,,,,,`, // line 9 not a thousands-grouped number
        `6,12,a,${SPEC},r,20,b,,,,,`, // line 10 ok
      ].join('\n') + '\n',
    );
    const logger = recordingLogger();
    const result = await loadGellishTables([file], logger);
    assert.deepEqual(
      result.facts.map((f) => f.fact.fact_uid),
      [1, 6],
    );
    assert.deepEqual(
      result.rejected.map((r) => [r.file, r.line]),
      [
        [file, 3],
        [file, 4],
        [file, 5],
        [file, 6],
        [file, 9],
      ],
    );
    assert.match(result.rejected[0]!.reason, /short row/);
    assert.match(result.rejected[1]!.reason, /column 2 .*not an integer/);
    assert.match(result.rejected[2]!.reason, /column 60 .*empty/);
    assert.match(
      result.rejected[3]!.reason,
      new RegExp(`duplicate fact uid 1 \\(first at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 2\\)`),
    );
    assert.equal(result.summary, 'loaded 2 facts from 1 files, rejected 5 rows');
    assert.ok(logger.lines.includes(`warn rejected row: file ${file} line 3: ${result.rejected[0]!.reason}`));
    assert.ok(logger.lines.includes('info loaded 2 facts from 1 files, rejected 5 rows'));
  });

  test('an unclosed quote is reported, not silently dropped', async () => {
    const file = await table('quote.csv', HEADER + `\n1,10,a,${SPEC},r,20,b,,,,,\n2,10,"a,${SPEC},r,20,b,,,,,\n`);
    const result = await loadGellishTables([file]);
    assert.equal(result.facts.length, 1);
    assert.equal(result.rejected.length, 1);
    assert.match(result.rejected[0]!.reason, /malformed CSV/);
  });

  test('CRLF line ends, quoted line breaks and blank lines: the line numbers stay right', async () => {
    const file = await table(
      'crlf.csv',
      [
        HEADER,
        `1,10,"two\r\nlines",${SPEC},r,20,b,,,,,`, // lines 2-3
        '',
        `2,x,a,${SPEC},r,20,b,,,,,`, // line 5: bad number
        `3,11,"a ""quoted"" name",${SPEC},r,20,"b, c",,,,,`, // line 6
        `3,12,a,${SPEC},r,20,b,,,,,`, // line 7: duplicate of line 6
      ].join('\r\n') + '\r\n',
    );
    const result = await loadGellishTables([file]);
    assert.deepEqual(
      result.facts.map((f) => [f.fact.fact_uid, f.source.line]),
      [
        [1, 2],
        [3, 6],
      ],
    );
    assert.equal(result.facts[0]!.fact.lh_object_name, 'two\r\nlines');
    assert.equal(result.facts[1]!.fact.lh_object_name, 'a "quoted" name');
    assert.equal(result.facts[1]!.fact.rh_object_name, 'b, c');
    assert.deepEqual(
      result.rejected.map((r) => r.line),
      [5, 7],
    );
    assert.match(result.rejected[1]!.reason, /first at .*crlf.csv line 6/);
  });

  test('with a sink, facts go to it as they are read and the result keeps none', async () => {
    const file = await table('sink.csv', HEADER + `\n1,10,a,${SPEC},r,20,b,,,,,\n1,11,a,${SPEC},r,20,b,,,,,\n`);
    const taken: number[] = [];
    const result = await loadGellishTables([file], undefined, {
      indexOf: (uid) => {
        const at = taken.indexOf(uid);
        return at < 0 ? undefined : at;
      },
      accept: (loaded) => void taken.push(loaded.fact.fact_uid),
    });
    assert.deepEqual(taken, [1]);
    assert.equal(result.facts.length, 0);
    assert.equal(result.factCount, 1);
    assert.deepEqual(
      result.rejected.map((r) => r.line),
      [3],
    );
  });

  test('several files form one graph; duplicates across files are rejected', async () => {
    const a = await table('a.csv', HEADER + `\n1,900002,machine,${SPEC},r,${PHYSICAL_OBJECT},physical object,,,,,\n`);
    const b = await table('b.csv', `2,15,60,1\n900001,900002,${SPEC},2\n900003,900002,${SPEC},1\n`);
    const result = await loadGellishTables([a, b]);
    assert.equal(result.facts.length, 2);
    assert.deepEqual(
      result.rejected.map((r) => [r.file, r.line]),
      [[b, 3]],
    );
    assert.equal(result.summary, 'loaded 2 facts from 2 files, rejected 1 rows');
    const store = new FactStore(result.facts);
    assert.equal(store.nature(900001), 'kind');
    assert.equal(store.category(900001), 'physical object');
  });

  test('a header without a required column id is a clear error', async () => {
    const file = await table('header.csv', '1,2,101,3,15,201\n1,10,a,r,20,b\n');
    await assert.rejects(loadGellishTables([file]), (error: Error) => {
      assert.ok(error instanceof GellishLoadError);
      assert.equal(error.message, `file ${file}: header lacks Gellish column id 60`);
      return true;
    });
    const worse = await table('header2.csv', 'a,b,c\n');
    await assert.rejects(loadGellishTables([worse]), /header lacks Gellish column ids 1, 2, 60, 15/);
  });

  test('empty, blank, missing and unreadable files are errors', async () => {
    const empty = await table('empty.csv', '');
    await assert.rejects(loadGellishTables([empty]), new RegExp(`file .*empty.csv: empty`));
    const blank = await table('blank.csv', '\n\n');
    await assert.rejects(loadGellishTables([blank]), /blank.csv: empty/);
    await assert.rejects(loadGellishTables([join(dir, 'absent.csv')]), /absent.csv: not found/);
    await assert.rejects(loadGellishTables([dir]), /not a regular file/);
    await assert.rejects(loadGellishTables([]), GellishLoadError);
    const locked = await table('locked.csv', HEADER + '\n');
    await chmod(locked, 0o000);
    try {
      const readable = await loadGellishTables([locked]).then(
        () => true,
        (e: Error) => {
          assert.match(e.message, /locked.csv: cannot be read/);
          return false;
        },
      );
      // root can read anything: then the header-only table loads with no facts
      if (readable) assert.equal(process.getuid?.(), 0);
    } finally {
      await chmod(locked, 0o600);
    }
  });
});
