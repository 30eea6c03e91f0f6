/**
 * The building blocks of the embedded Archivist's column store: typed-array columns
 * that grow as rows are appended, and a table of interned texts. A million facts
 * take a few numbers each instead of a million JavaScript objects.
 */

type TypedArray = Float64Array | Int32Array;

/** Rows per chunk: 64 Ki (512 KB of Float64, 256 KB of Int32). */
const CHUNK_BITS = 16;
const CHUNK_ROWS = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK_ROWS - 1;

/**
 * A column of numbers, one per row, in typed-array chunks of 64 Ki rows added as rows
 * arrive: growing never copies, and no outgrown array is left behind for the
 * allocator to keep (a million rows are 16 chunks).
 */
abstract class ChunkedColumn<A extends TypedArray> {
  private readonly chunks: A[] = [];

  constructor(
    private readonly create: (length: number) => A,
    private readonly empty: number,
  ) {}

  /** Rows the column has room for without a new chunk. */
  get capacity(): number {
    return this.chunks.length * CHUNK_ROWS;
  }

  get(row: number): number {
    const chunk = this.chunks[row >>> CHUNK_BITS];
    return chunk === undefined ? this.empty : chunk[row & IN_CHUNK]!;
  }

  set(row: number, value: number): void {
    const index = row >>> CHUNK_BITS;
    while (this.chunks.length <= index) {
      const chunk = this.create(CHUNK_ROWS);
      if (this.empty !== 0) chunk.fill(this.empty);
      this.chunks.push(chunk);
    }
    this.chunks[index]![row & IN_CHUNK] = value;
  }
}

/** Numbers up to 2^53 (uids); rows never set read as NaN. */
export class Float64Column extends ChunkedColumn<Float64Array> {
  constructor() {
    super((n) => new Float64Array(n), Number.NaN);
  }
}

/** 32-bit integers (row ids, text ids); rows never set read as 0. */
export class Int32Column extends ChunkedColumn<Int32Array> {
  constructor() {
    super((n) => new Int32Array(n), 0);
  }
}

/** Shorter strings are always copies in V8; longer substrings may share (and keep alive) their parent. */
const MIN_SHARED_SUBSTRING = 13;

/**
 * The text as a string of its own. A CSV parser's fields are often slices of the
 * chunk they were read from, and a kept slice keeps the whole chunk (a megabyte) alive.
 */
export function ownCopy(text: string): string {
  return text.length < MIN_SHARED_SUBSTRING ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Texts by id, id 0 being "" (absent), each distinct text kept once (interned: names
 * repeat on every fact about an entity, phrases and units on thousands).
 */
export class TextTable {
  private readonly texts: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);

  /** Number of ids handed out (id 0 included). */
  get size(): number {
    return this.texts.length;
  }

  text(id: number): string {
    return this.texts[id] ?? '';
  }

  /** The id of a text, adding it when new (a new id equals the size before the call). */
  idOf(text: string): number {
    const known = this.ids.get(text);
    if (known !== undefined) return known;
    const own = ownCopy(text);
    const id = this.texts.length;
    this.ids.set(own, id);
    this.texts.push(own);
    return id;
  }

  /** The id a text already has, undefined when it has none. */
  existingId(text: string): number | undefined {
    return this.ids.get(text);
  }
}

/** Buffer's own UTF-8 decoder, without toString's argument handling (which costs more than decoding a short text). */
type Utf8Slicing = Buffer & { utf8Slice?: (start: number, end: number) => string };

function utf8Text(chunk: Buffer, start: number, end: number): string {
  const slicing = chunk as Utf8Slicing;
  return typeof slicing.utf8Slice === 'function' ? slicing.utf8Slice(start, end) : chunk.toString('utf8', start, end);
}

/** Bytes per chunk of a ByteTextTable. */
const TEXT_CHUNK_BYTES = 1 << 20;
/** Longest text (in UTF-16 units) kept in the chunks; longer ones are kept as strings. */
const MAX_CHUNKED_TEXT = TEXT_CHUNK_BYTES / 8;

/**
 * Long, mostly distinct texts (definitions) by id, id 0 being "" (absent), kept as
 * UTF-8 in 1 MB chunks: a text costs its bytes plus 12 (where it starts, how long),
 * not a string object and a pointer; a string is made when it is read. Nothing is
 * looked up: only a text equal to the one added just before it shares its id (a run
 * of facts repeating one definition).
 */
export class ByteTextTable {
  private readonly chunks: Buffer[] = [];
  private used = TEXT_CHUNK_BYTES;
  private readonly starts = new Float64Column();
  private readonly lengths = new Int32Column();
  private readonly long = new Map<number, string>();
  private count = 1;
  private last = '';

  /** Number of ids handed out (id 0 included). */
  get size(): number {
    return this.count;
  }

  text(id: number): string {
    if (id <= 0 || id >= this.count) return '';
    const long = this.long.get(id);
    if (long !== undefined) return long;
    const start = this.starts.get(id);
    const chunk = Math.floor(start / TEXT_CHUNK_BYTES);
    const offset = start - chunk * TEXT_CHUNK_BYTES;
    return utf8Text(this.chunks[chunk]!, offset, offset + this.lengths.get(id));
  }

  /** A new id for the text (the previous one when it repeats the text added last). */
  idOf(text: string): number {
    if (text === '') return 0;
    if (this.count > 1 && text === this.last) return this.count - 1;
    const id = this.count++;
    this.last = text;
    if (text.length > MAX_CHUNKED_TEXT) {
      this.long.set(id, ownCopy(text));
      return id;
    }
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    if (this.used + text.length * 3 > TEXT_CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafe(TEXT_CHUNK_BYTES));
      this.used = 0;
    }
    const chunk = this.chunks.length - 1;
    const written = this.chunks[chunk]!.write(text, this.used, 'utf8');
    this.starts.set(id, chunk * TEXT_CHUNK_BYTES + this.used);
    this.lengths.set(id, written);
    this.used += written;
    return id;
  }
}
