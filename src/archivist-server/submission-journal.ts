import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import type { ArchivistLogger } from './archivist-logger.js';
import { parseFactsRecord, type FactsSubmission } from './fact-submission.js';
import { parseSubmission, SUBMISSION_KINDS, type Submission, type SubmissionKind } from './submissions.js';

/** What one journal line records: a PUT /submission/* or a POST /fact/facts (its facts with permanent uids). */
export type JournalRecord = Submission | FactsSubmission;

/** One journal line. */
interface JournalEntry {
  at: string;
  submission: JournalRecord;
}

/**
 * An append-only JSON-lines journal of accepted submissions. Each append is
 * fsync'd before it resolves, so an acknowledged submission survives a crash; a
 * torn last line (a write that was never acknowledged) is cut off when opened.
 */
export class SubmissionJournal {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  /**
   * Reads the journal's valid submissions (for replay) and opens it for appending;
   * a missing journal is created.
   */
  static async open(
    file: string,
    logger: ArchivistLogger,
  ): Promise<{ journal: SubmissionJournal; submissions: JournalRecord[] }> {
    const submissions = await readJournal(file, logger);
    const handle = await open(file, 'a');
    return { journal: new SubmissionJournal(handle, file), submissions };
  }

  /**
   * Appends one submission and waits until it is on disk. Appends are serialized;
   * one line is one record, so a POST /fact/facts (its facts and reserved uids) is
   * journaled atomically.
   */
  append(submission: JournalRecord): Promise<void> {
    const entry: JournalEntry = { at: new Date().toISOString(), submission };
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.tail.then(async () => {
      await this.handle.appendFile(line, 'utf8');
      await this.handle.sync();
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle.close();
  }
}

async function readJournal(file: string, logger: ArchivistLogger): Promise<JournalRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`journal ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline < text.length - 1) {
    const kept = Buffer.byteLength(text.slice(0, lastNewline + 1), 'utf8');
    logger.warn(`journal ${file}: cutting off an unfinished last line (an unacknowledged write)`);
    await truncate(file, kept);
    text = text.slice(0, lastNewline + 1);
  }
  const submissions: JournalRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const submission = parseEntry(line);
    if (submission) submissions.push(submission);
    else logger.warn(`journal ${file} line ${index + 1}: not a valid submission, skipped`);
  });
  return submissions;
}

function parseEntry(line: string): JournalRecord | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  const submission = (entry as { submission?: { kind?: unknown } } | null)?.submission;
  const kind = submission?.kind;
  if (kind === 'facts') return parseFactsRecord(submission);
  if (typeof kind !== 'string' || !SUBMISSION_KINDS.includes(kind as SubmissionKind)) return undefined;
  const parsed = parseSubmission(kind as SubmissionKind, submission);
  return parsed.ok ? parsed.submission : undefined;
}
