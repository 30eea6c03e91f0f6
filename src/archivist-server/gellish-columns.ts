import type { Fact } from '../gellish/fact.js';

/**
 * Gellish expression-table column ids (spec §7) and the pure mapping of one table
 * row onto a Fact. Columns not listed here are kept as-is beside the fact.
 */
export const GellishColumn = {
  FACT_UID: '1',
  LH_OBJECT_UID: '2',
  LH_OBJECT_NAME: '101',
  REL_TYPE_UID: '60',
  REL_TYPE_NAME: '3',
  RH_OBJECT_UID: '15',
  RH_OBJECT_NAME: '201',
  PARTIAL_DEFINITION: '65',
  FULL_DEFINITION: '4',
  UOM_UID: '66',
  UOM_NAME: '7',
  COLLECTION_UID: '50',
  COLLECTION_NAME: '68',
  APPROVAL_STATUS: '8',
  EFFECTIVE_FROM: '9',
  LATEST_UPDATE: '10',
  AUTHOR: '12',
} as const;

/** Columns a table must have in its header row. */
export const REQUIRED_COLUMNS: readonly string[] = [
  GellishColumn.FACT_UID,
  GellishColumn.LH_OBJECT_UID,
  GellishColumn.REL_TYPE_UID,
  GellishColumn.RH_OBJECT_UID,
];

type NumericField = 'fact_uid' | 'lh_object_uid' | 'rel_type_uid' | 'rh_object_uid' | 'uom_uid' | 'collection_uid';

const REQUIRED_NUMERIC: ReadonlyArray<[string, NumericField]> = [
  [GellishColumn.FACT_UID, 'fact_uid'],
  [GellishColumn.LH_OBJECT_UID, 'lh_object_uid'],
  [GellishColumn.REL_TYPE_UID, 'rel_type_uid'],
  [GellishColumn.RH_OBJECT_UID, 'rh_object_uid'],
];
const OPTIONAL_NUMERIC: ReadonlyArray<[string, NumericField]> = [
  [GellishColumn.UOM_UID, 'uom_uid'],
  [GellishColumn.COLLECTION_UID, 'collection_uid'],
];
const MAPPED_COLUMNS = new Set<string>(Object.values(GellishColumn));
const NUMERIC_COLUMNS = [
  ...REQUIRED_NUMERIC.map(([id, field]) => ({ id, field, required: true })),
  ...OPTIONAL_NUMERIC.map(([id, field]) => ({ id, field, required: false })),
];
/** Shared by every row without extra columns (treat as read-only). */
const NO_EXTRA_COLUMNS: Record<string, string> = Object.freeze({}) as Record<string, string>;

type OptionalTextField =
  | 'partial_definition'
  | 'full_definition'
  | 'uom_name'
  | 'collection_name'
  | 'approval_status'
  | 'effective_from'
  | 'latest_update'
  | 'author';

const PLAIN_DIGITS = /^\d+$/;
const GROUPED_DIGITS = /^\d{1,3}(,\d{3})+$/;

/**
 * A non-negative integer as Gellish tables write it: "1146" or with thousands
 * separators "1,146". Anything else (including "1,1" and unsafe integers) is undefined.
 */
export function parseGellishInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (!PLAIN_DIGITS.test(trimmed) && !GROUPED_DIGITS.test(trimmed)) return undefined;
  const value = Number(trimmed.replaceAll(',', ''));
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Column id → position in the header row (first occurrence wins). */
export type HeaderIndex = ReadonlyMap<string, number>;

export function indexHeader(header: readonly string[]): HeaderIndex {
  const index = new Map<string, number>();
  header.forEach((cell, position) => {
    const id = cell.trim();
    if (id !== '' && !index.has(id)) index.set(id, position);
  });
  return index;
}

/** Required column ids absent from the header, in the order of REQUIRED_COLUMNS. */
export function missingRequiredColumns(header: HeaderIndex): string[] {
  return REQUIRED_COLUMNS.filter((id) => !header.has(id));
}

export type RowMapping = { ok: true; fact: Fact; extraColumns: Record<string, string> } | { ok: false; reason: string };

/**
 * Maps one data row onto a Fact. Empty optional fields are omitted; required
 * uids must be integers; other non-empty columns are returned in extraColumns.
 */
export function mapRowToFact(row: readonly string[], header: HeaderIndex, headerLength: number): RowMapping {
  if (row.length < headerLength) {
    return { ok: false, reason: `short row: ${row.length} fields, header has ${headerLength}` };
  }
  if (row.length > headerLength) {
    return { ok: false, reason: `long row: ${row.length} fields, header has ${headerLength}` };
  }
  const cell = (id: string): string => {
    const position = header.get(id);
    return position === undefined ? '' : (row[position] ?? '').trim();
  };
  const numbers: Partial<Record<NumericField, number>> = {};
  for (let i = 0; i < NUMERIC_COLUMNS.length; i++) {
    const { id, field, required } = NUMERIC_COLUMNS[i];
    const text = cell(id);
    if (text === '') {
      if (required) return { ok: false, reason: `column ${id} (${field}) is empty` };
      continue;
    }
    const value = parseGellishInteger(text);
    if (value === undefined) return { ok: false, reason: `column ${id} (${field}) is not an integer: "${text}"` };
    numbers[field] = value;
  }
  // Fields in the order of the Fact interface, so answers read naturally. (The fact
  // store keeps each distinct name, phrase and label once.)
  const fact: Fact = {
    fact_uid: numbers.fact_uid!,
    lh_object_uid: numbers.lh_object_uid!,
    lh_object_name: cell(GellishColumn.LH_OBJECT_NAME),
    rel_type_uid: numbers.rel_type_uid!,
    rel_type_name: cell(GellishColumn.REL_TYPE_NAME),
    rh_object_uid: numbers.rh_object_uid!,
    rh_object_name: cell(GellishColumn.RH_OBJECT_NAME),
  };
  const optionalText = (id: string, field: OptionalTextField): void => {
    const text = cell(id);
    if (text !== '') fact[field] = text;
  };
  optionalText(GellishColumn.PARTIAL_DEFINITION, 'partial_definition');
  optionalText(GellishColumn.FULL_DEFINITION, 'full_definition');
  if (numbers.uom_uid !== undefined) fact.uom_uid = numbers.uom_uid;
  optionalText(GellishColumn.UOM_NAME, 'uom_name');
  if (numbers.collection_uid !== undefined) fact.collection_uid = numbers.collection_uid;
  optionalText(GellishColumn.COLLECTION_NAME, 'collection_name');
  optionalText(GellishColumn.APPROVAL_STATUS, 'approval_status');
  optionalText(GellishColumn.EFFECTIVE_FROM, 'effective_from');
  optionalText(GellishColumn.LATEST_UPDATE, 'latest_update');
  optionalText(GellishColumn.AUTHOR, 'author');
  let extraColumns: Record<string, string> = NO_EXTRA_COLUMNS;
  for (const [id, position] of header) {
    if (MAPPED_COLUMNS.has(id)) continue;
    const text = row[position] ?? '';
    if (text === '') continue;
    if (extraColumns === NO_EXTRA_COLUMNS) extraColumns = {};
    extraColumns[id] = text;
  }
  return { ok: true, fact, extraColumns };
}
