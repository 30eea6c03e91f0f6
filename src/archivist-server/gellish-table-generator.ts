import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Category, RelationType } from '../gellish/gellish-uids.js';
import { GellishColumn } from './gellish-columns.js';

/**
 * A generator of synthetic Gellish expression tables of any size, for benchmarks and
 * scale tests: deterministic for a seed, streaming (a million rows need no memory),
 * over the upper ontology of TOPini / the bundled knowledge base (it refers to
 * "physical object" 730044, "aspect" 790229 and the §5 relation types, so load it
 * together with one of them).
 *
 * What it makes (fractions of the rows, measured at 500,000 rows in the spec's comment):
 * - ~71% physical-object kinds (1146): about 10.5% of them directly below 730044, the
 *   hub (≈ 7.4% of all rows: ~37,000 in 500,000), the rest below an earlier generated
 *   kind (half any of them, half one of the 64 latest: a deep specialization tree);
 * - ~4% aspect kinds below 790229 or an earlier aspect kind;
 * - ~5% "can have as aspect a" (2069) and ~4% "can be a part of a" (1191) between kinds;
 * - ~4% individual physical objects (1225) and ~12% individual aspects of them with a
 *   value (1225 + 1727 + 5025 with a unit of measure, three rows at a time).
 * Fact uids increase from `firstFactUid`; entity uids from `firstEntityUid` (both far
 * above TOPini's and the bundled knowledge base's uids).
 */
export interface GeneratorOptions {
  /** Rows (facts) to generate. */
  facts: number;
  /** PRNG seed; the same seed and size give the same table. Default 1. */
  seed?: number;
  /** Default 500,000,000. */
  firstFactUid?: number;
  /** Default 50,000,000. */
  firstEntityUid?: number;
}

export interface GenerationSummary {
  facts: number;
  kinds: number;
  aspectKinds: number;
  individuals: number;
  /** Direct subtypes of the hub, 730044 "physical object". */
  hubSubtypes: number;
}

/** The Gellish columns written, in order (the loader maps them, spec §7). */
export const GENERATED_COLUMNS: readonly string[] = [
  GellishColumn.FACT_UID,
  GellishColumn.LH_OBJECT_UID,
  GellishColumn.LH_OBJECT_NAME,
  GellishColumn.REL_TYPE_UID,
  GellishColumn.REL_TYPE_NAME,
  GellishColumn.RH_OBJECT_UID,
  GellishColumn.RH_OBJECT_NAME,
  GellishColumn.PARTIAL_DEFINITION,
  GellishColumn.FULL_DEFINITION,
  GellishColumn.UOM_UID,
  GellishColumn.UOM_NAME,
  GellishColumn.COLLECTION_UID,
  GellishColumn.COLLECTION_NAME,
];

/** The hub of generated tables. */
export const GENERATED_HUB = Category.PHYSICAL_OBJECT;

const COLLECTION_UID = 49_999_999;
const COLLECTION_NAME = 'generated dictionary';
const UNITS: ReadonlyArray<[number, string]> = [
  [49_999_990, 'mm'],
  [49_999_991, 'kg'],
  [49_999_992, 'bar'],
  [49_999_993, 'degC'],
  [49_999_994, 'm3/h'],
];
const RECENT = 64;

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Named {
  uid: number;
  name: string;
}

/** Rows (cells in GENERATED_COLUMNS order) of a generated table, without the header. */
export function* generateGellishRows(
  options: GeneratorOptions,
  summary: GenerationSummary = emptySummary(),
): Generator<string[]> {
  const total = Math.max(0, Math.floor(options.facts));
  const random = mulberry32(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  let factUid = options.firstFactUid ?? 500_000_000;
  let entityUid = options.firstEntityUid ?? 50_000_000;
  const kinds: Named[] = [];
  const aspectKinds: Named[] = [];
  const individuals: Named[] = [];
  const hub: Named = { uid: GENERATED_HUB, name: 'physical object' };
  const aspectRoot: Named = { uid: Category.ASPECT, name: 'aspect' };

  const row = (
    lh: Named,
    rel: number,
    phrase: string,
    rh: Named,
    extra: { partial?: string; full?: string; uom?: [number, string] } = {},
  ): string[] => {
    summary.facts++;
    return [
      String(factUid++),
      String(lh.uid),
      lh.name,
      String(rel),
      phrase,
      String(rh.uid),
      rh.name,
      extra.partial ?? '',
      extra.full ?? '',
      extra.uom ? String(extra.uom[0]) : '',
      extra.uom ? extra.uom[1] : '',
      String(COLLECTION_UID),
      COLLECTION_NAME,
    ];
  };
  const supertypeOf = (list: readonly Named[], root: Named, rootShare: number): Named => {
    if (list.length === 0 || random() < rootShare) return root;
    return random() < 0.5 ? pick(list) : list[list.length - 1 - Math.floor(random() * Math.min(RECENT, list.length))];
  };

  while (summary.facts < total) {
    const r = random();
    if (r < 0.77 || kinds.length < 2) {
      const supertype = supertypeOf(kinds, hub, 0.105);
      const kind = { uid: entityUid++, name: `kind ${kinds.length + 1}` };
      if (supertype === hub) summary.hubSubtypes++;
      summary.kinds++;
      yield row(kind, RelationType.SPECIALIZATION, 'is a specialization of', supertype, {
        partial: `that is generated kind number ${kinds.length + 1}`,
        full: `is a ${supertype.name} that is generated kind number ${kinds.length + 1}`,
      });
      kinds.push(kind);
    } else if (r < 0.813 || aspectKinds.length === 0) {
      const supertype = supertypeOf(aspectKinds, aspectRoot, 0.2);
      const aspect = { uid: entityUid++, name: `aspect ${aspectKinds.length + 1}` };
      summary.aspectKinds++;
      yield row(aspect, RelationType.SPECIALIZATION, 'is a specialization of', supertype, {
        partial: `that is generated aspect number ${aspectKinds.length + 1}`,
      });
      aspectKinds.push(aspect);
    } else if (r < 0.867) {
      yield row(pick(kinds), RelationType.CONCEPTUAL_ASPECT_POSSESSION, 'can have as aspect a', pick(aspectKinds));
    } else if (r < 0.91) {
      const part = pick(kinds);
      let whole = pick(kinds);
      if (whole === part) whole = kinds[(kinds.indexOf(part) + 1) % kinds.length];
      yield row(part, RelationType.CONCEPTUAL_ASSEMBLY, 'can be a part of a', whole);
    } else if (r < 0.958 || individuals.length === 0) {
      const individual = { uid: entityUid++, name: `object ${individuals.length + 1}` };
      summary.individuals++;
      yield row(individual, RelationType.CLASSIFICATION, 'is classified as a', pick(kinds));
      individuals.push(individual);
    } else {
      const owner = pick(individuals);
      const kind = pick(aspectKinds);
      const aspect = { uid: entityUid++, name: `${kind.name} of ${owner.name}` };
      summary.individuals++;
      yield row(aspect, RelationType.CLASSIFICATION, 'is classified as a', kind);
      if (summary.facts >= total) break;
      yield row(owner, RelationType.ASPECT_POSSESSION, 'has as aspect', aspect);
      if (summary.facts >= total) break;
      const value = Math.round(random() * 100_000) / 10;
      yield row(
        aspect,
        RelationType.VALUE_ON_SCALE,
        'has on scale a value equal to',
        {
          uid: entityUid++,
          name: String(value),
        },
        { uom: pick(UNITS) },
      );
    }
  }
}

function emptySummary(): GenerationSummary {
  return { facts: 0, kinds: 0, aspectKinds: 0, individuals: 0, hubSubtypes: 0 };
}

/** One CSV line (RFC 4180 quoting where needed). */
export function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
}

/** Writes a generated table (header + rows) to `file`; resolves with what it made. */
export async function writeGellishTable(file: string, options: GeneratorOptions): Promise<GenerationSummary> {
  const summary = emptySummary();
  const out = createWriteStream(file, { encoding: 'utf8' });
  const done = once(out, 'finish');
  let buffer = `${csvLine(GENERATED_COLUMNS)}\n`;
  for (const cells of generateGellishRows(options, summary)) {
    buffer += `${csvLine(cells)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await done;
  return summary;
}
