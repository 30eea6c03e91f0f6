import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { Fact } from '../gellish/fact.js';
import type { ArchivistLogger } from './archivist-logger.js';
import { clearInterned, indexHeader, mapRowToFact, missingRequiredColumns } from './gellish-columns.js';

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
  facts: LoadedFact[];
  rejected: RejectedRow[];
  fileCount: number;
  /** "loaded N facts from K files, rejected M rows" */
  summary: string;
}

/** At most this many rejected rows are logged one by one; the rest are counted. */
const MAX_LOGGED_REJECTIONS = 50;

interface ParsedRecord {
  record: string[];
  raw: string;
  info: { lines: number };
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

/** First line of a record: the parser reports the line it ends on. */
function startLine(parsed: ParsedRecord): number {
  let newlines = 0;
  for (const ch of parsed.raw.replace(/[\r\n]+$/, '')) if (ch === '\n') newlines++;
  return parsed.info.lines - newlines;
}

async function loadOneTable(
  file: string,
  seenFactUids: Map<number, RowSource>,
  facts: LoadedFact[],
  rejected: RejectedRow[],
): Promise<void> {
  await assertReadableFile(file);
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      skip_records_with_error: true,
      info: true,
      raw: true,
    }),
  );
  const fileRejections: RejectedRow[] = [];
  parser.on('skip', (error: Error & { lines?: number }) => {
    fileRejections.push({ file, line: error.lines ?? 0, reason: `malformed CSV: ${error.message}` });
  });
  let header: ReturnType<typeof indexHeader> | undefined;
  let headerLength = 0;
  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      const line = startLine(parsed);
      if (!header) {
        header = indexHeader(parsed.record);
        headerLength = parsed.record.length;
        const missing = missingRequiredColumns(header);
        if (missing.length > 0) {
          const ids = missing.length === 1 ? `column id ${missing[0]}` : `column ids ${missing.join(', ')}`;
          throw new GellishLoadError(`file ${file}: header lacks Gellish ${ids}`);
        }
        continue;
      }
      const mapping = mapRowToFact(parsed.record, header, headerLength);
      if (!mapping.ok) {
        fileRejections.push({ file, line, reason: mapping.reason });
        continue;
      }
      const uid = mapping.fact.fact_uid;
      const first = seenFactUids.get(uid);
      if (first) {
        fileRejections.push({
          file,
          line,
          reason: `duplicate fact uid ${uid} (first at ${first.file} line ${first.line})`,
        });
        continue;
      }
      const source = { file, line };
      seenFactUids.set(uid, source);
      facts.push({ fact: mapping.fact, source, extraColumns: mapping.extraColumns });
    }
  } catch (error) {
    parser.destroy();
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
 * ids, throws GellishLoadError.
 */
export async function loadGellishTables(
  files: readonly string[],
  logger?: ArchivistLogger,
): Promise<GellishLoadResult> {
  if (files.length === 0) throw new GellishLoadError('no Gellish tables given');
  const facts: LoadedFact[] = [];
  const rejected: RejectedRow[] = [];
  const seenFactUids = new Map<number, RowSource>();
  try {
    for (const file of files) await loadOneTable(file, seenFactUids, facts, rejected);
  } finally {
    clearInterned();
  }
  for (const row of rejected.slice(0, MAX_LOGGED_REJECTIONS)) {
    logger?.warn(`rejected row: file ${row.file} line ${row.line}: ${row.reason}`);
  }
  if (rejected.length > MAX_LOGGED_REJECTIONS) {
    logger?.warn(`... and ${rejected.length - MAX_LOGGED_REJECTIONS} more rejected rows`);
  }
  const summary = `loaded ${facts.length} facts from ${files.length} files, rejected ${rejected.length} rows`;
  logger?.info(summary);
  return { facts, rejected, fileCount: files.length, summary };
}
