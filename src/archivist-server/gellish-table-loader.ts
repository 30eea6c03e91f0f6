import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Papa from 'papaparse';
import type { Fact } from '../gellish/fact.js';
import type { ArchivistLogger } from './archivist-logger.js';
import { Float64Column } from './fact-columns.js';
import { indexHeader, mapRowToFact, missingRequiredColumns } from './gellish-columns.js';

/** A table could not be loaded at all (missing, unreadable, empty, bad header). */
export class GellishLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GellishLoadError';
  }
}

/** Where a fact came from, for messages. */
export interface RowSource {
  file: string;
  line: number;
}

export interface LoadedFact {
  fact: Fact;
  source: RowSource;
  /** Non-empty cells of columns the Fact does not map, by column id, kept as-is. */
  extraColumns: Record<string, string>;
}

export interface RejectedRow extends RowSource {
  reason: string;
}

export interface GellishLoadResult {
  /** The loaded facts, in table order; empty when they went to a sink instead. */
  facts: LoadedFact[];
  /** How many facts were loaded (into `facts` or the sink). */
  factCount: number;
  rejected: RejectedRow[];
  fileCount: number;
  /** "loaded N facts from K files, rejected M rows" */
  summary: string;
}

/** At most this many rejected rows are logged one by one; the rest are counted. */
const MAX_LOGGED_REJECTIONS = 50;

/**
 * Takes each loaded fact as it is read (the embedded Archivist appends it to its column
 * store) and knows which fact uids it took, so that a large table needs no second map
 * of them for duplicate checks.
 */
export interface LoadedFactSink {
  /** Position (0, 1, …) among the facts accepted so far of the fact with this uid. */
  indexOf(factUid: number): number | undefined;
  accept(loaded: LoadedFact): void;
}

/** The sink that keeps the facts as objects (tests, tools, small tables). */
class FactList implements LoadedFactSink {
  readonly facts: LoadedFact[] = [];
  private readonly index = new Map<number, number>();

  indexOf(factUid: number): number | undefined {
    return this.index.get(factUid);
  }

  accept(loaded: LoadedFact): void {
    this.index.set(loaded.fact.fact_uid, this.facts.length);
    this.facts.push(loaded);
  }
}

/**
 * Where each accepted fact came from, as one number per fact (line × files + file
 * index, in a typed column), for the "first at" of a duplicate.
 */
class FirstSeen {
  private readonly at = new Float64Column();
  private accepted = 0;

  constructor(
    private readonly files: readonly string[],
    private readonly sink: LoadedFactSink,
  ) {}

  /** Where the accepted fact with this uid came from; undefined when none was accepted. */
  get(uid: number): RowSource | undefined {
    const index = this.sink.indexOf(uid);
    if (index === undefined) return undefined;
    const at = this.at.get(index);
    const fileIndex = at % this.files.length;
    return { file: this.files[fileIndex]!, line: (at - fileIndex) / this.files.length };
  }

  /** Hands the fact to the sink and remembers its source. */
  accept(loaded: LoadedFact, fileIndex: number): void {
    this.sink.accept(loaded);
    this.at.set(this.accepted++, loaded.source.line * this.files.length + fileIndex);
  }

  get count(): number {
    return this.accepted;
  }
}

async function assertReadableFile(file: string): Promise<void> {
  let size: number;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw new GellishLoadError(`file ${file}: not a regular file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof GellishLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new GellishLoadError(
      code === 'ENOENT' ? `file ${file}: not found` : `file ${file}: cannot be read (${code ?? String(error)})`,
    );
  }
  if (size === 0) throw new GellishLoadError(`file ${file}: empty, expected a header row of Gellish column ids`);
}

/** Line breaks inside a record's (quoted) fields: the lines it takes beyond its first. */
function innerLineBreaks(record: readonly string[]): number {
  let breaks = 0;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) breaks++;
  }
  return breaks;
}

function isBlank(record: readonly string[]): boolean {
  return record.every((field) => field.trim() === '');
}

/**
 * Reads one table with Papa Parse (RFC 4180: quoted fields with commas, quotes and line
 * breaks), one record at a time. Line numbers are counted here: each record takes one
 * line plus the line breaks inside its fields; blank lines and records of empty cells
 * are skipped but counted. A record the parser marks as malformed (an unterminated or
 * badly closed quoted field) is rejected with its line.
 */
async function loadOneTable(
  file: string,
  fileIndex: number,
  seenFactUids: FirstSeen,
  rejected: RejectedRow[],
): Promise<void> {
  await assertReadableFile(file);
  const fileRejections: RejectedRow[] = [];
  let header: ReturnType<typeof indexHeader> | undefined;
  let headerLength = 0;
  let nextLine = 1;
  const take = (record: string[], errors: readonly Papa.ParseError[]): void => {
    const line = nextLine;
    nextLine += 1 + innerLineBreaks(record);
    if (line === 1 && record.length > 0 && record[0]!.startsWith('\ufeff')) record[0] = record[0]!.slice(1);
    if (errors.length > 0) {
      fileRejections.push({ file, line, reason: `malformed CSV: ${errors.map((e) => e.message).join('; ')}` });
      return;
    }
    if (isBlank(record)) return;
    if (!header) {
      header = indexHeader(record);
      headerLength = record.length;
      const missing = missingRequiredColumns(header);
      if (missing.length > 0) {
        const ids = missing.length === 1 ? `column id ${missing[0]}` : `column ids ${missing.join(', ')}`;
        throw new GellishLoadError(`file ${file}: header lacks Gellish ${ids}`);
      }
      return;
    }
    const mapping = mapRowToFact(record, header, headerLength);
    if (!mapping.ok) {
      fileRejections.push({ file, line, reason: mapping.reason });
      return;
    }
    const uid = mapping.fact.fact_uid;
    const first = seenFactUids.get(uid);
    if (first) {
      fileRejections.push({
        file,
        line,
        reason: `duplicate fact uid ${uid} (first at ${first.file} line ${first.line})`,
      });
      return;
    }
    seenFactUids.accept({ fact: mapping.fact, source: { file, line }, extraColumns: mapping.extraColumns }, fileIndex);
  };
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    await new Promise<void>((resolve, reject) => {
      let failure: unknown;
      Papa.parse<string[]>(input, {
        delimiter: ',',
        quoteChar: '"',
        escapeChar: '"',
        step: (result, parser) => {
          if (failure !== undefined) return;
          try {
            take(result.data, result.errors);
          } catch (error) {
            failure = error;
            parser.abort();
          }
        },
        complete: () => (failure === undefined ? resolve() : reject(failure as Error)),
        error: (error) => reject(error),
      });
    });
  } catch (error) {
    input.destroy();
    if (error instanceof GellishLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new GellishLoadError(`file ${file}: cannot be read (${code ?? (error as Error).message})`);
  }
  if (!header) throw new GellishLoadError(`file ${file}: empty, expected a header row of Gellish column ids`);
  rejected.push(...fileRejections.sort((a, b) => a.line - b.line));
}

/**
 * Loads Gellish expression tables (spec §7) into one graph. Bad rows are reported
 * with file and line and skipped (a fact uid may occur once across all files);
 * a missing, unreadable or empty file, or a header without the required column
 * ids, throws GellishLoadError. With a sink, each fact goes to it as it is read
 * and the result's `facts` stays empty (a large table is never held as objects).
 */
export async function loadGellishTables(
  files: readonly string[],
  logger?: ArchivistLogger,
  sink?: LoadedFactSink,
): Promise<GellishLoadResult> {
  if (files.length === 0) throw new GellishLoadError('no Gellish tables given');
  const list = sink ? undefined : new FactList();
  const rejected: RejectedRow[] = [];
  const seenFactUids = new FirstSeen(files, sink ?? list!);
  for (let i = 0; i < files.length; i++) await loadOneTable(files[i]!, i, seenFactUids, rejected);
  const facts = list?.facts ?? [];
  const factCount = seenFactUids.count;
  for (const row of rejected.slice(0, MAX_LOGGED_REJECTIONS)) {
    logger?.warn(`rejected row: file ${row.file} line ${row.line}: ${row.reason}`);
  }
  if (rejected.length > MAX_LOGGED_REJECTIONS) {
    logger?.warn(`... and ${rejected.length - MAX_LOGGED_REJECTIONS} more rejected rows`);
  }
  const summary = `loaded ${factCount} facts from ${files.length} files, rejected ${rejected.length} rows`;
  logger?.info(summary);
  return { facts, factCount, rejected, fileCount: files.length, summary };
}
