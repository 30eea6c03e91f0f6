import { parse } from 'csv-parse/sync';
import type { Fact } from '../../src/gellish/fact.js';

/** Test helper: parses a Gellish expression table (first row = column ids) into facts. */
export function parseGellishTable(text: string): Fact[] {
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  const header = rows[0].map((h) => h.trim());
  const col = (id: string): number => header.indexOf(id);
  const c = {
    fact: col('1'),
    lh: col('2'),
    lhName: col('101'),
    rel: col('60'),
    phrase: col('3'),
    rh: col('15'),
    rhName: col('201'),
    partial: col('65'),
    full: col('4'),
    uomUid: col('66'),
    uomName: col('7'),
    collUid: col('50'),
    collName: col('68'),
  };
  const num = (s: string | undefined): number | undefined => {
    const t = (s ?? '').replace(/,/g, '').trim();
    return t === '' ? undefined : Number(t);
  };
  const str = (row: string[], i: number): string | undefined => {
    const v = i >= 0 ? row[i]?.trim() : undefined;
    return v ? v : undefined;
  };
  const facts: Fact[] = [];
  for (const row of rows.slice(1)) {
    const factUid = num(row[c.fact]);
    if (factUid === undefined) continue;
    const fact: Fact = {
      fact_uid: factUid,
      lh_object_uid: num(row[c.lh]) as number,
      lh_object_name: str(row, c.lhName) ?? '',
      rel_type_uid: num(row[c.rel]) as number,
      rel_type_name: str(row, c.phrase) ?? '',
      rh_object_uid: num(row[c.rh]) as number,
      rh_object_name: str(row, c.rhName) ?? '',
    };
    const optional: Array<[keyof Fact, string | number | undefined]> = [
      ['partial_definition', str(row, c.partial)],
      ['full_definition', str(row, c.full)],
      ['uom_uid', num(row[c.uomUid])],
      ['uom_name', str(row, c.uomName)],
      ['collection_uid', num(row[c.collUid])],
      ['collection_name', str(row, c.collName)],
    ];
    for (const [k, v] of optional) if (v !== undefined) Object.assign(fact, { [k]: v });
    facts.push(fact);
  }
  return facts;
}
