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

/**
 * Texts by id, id 0 being "" (absent). By default the same text gets the same id
 * (interned: names repeat on every fact about an entity, phrases and units on
 * thousands). With `dedupe: 'previous'` a text is shared only with the text added just
 * before it (a row repeating the previous row's definition) and nothing is looked up:
 * for long texts that are mostly distinct, such as definitions, a lookup map would cost
 * more than it saves.
 */
export class TextTable {
  private readonly texts: string[] = [''];
  private readonly ids: Map<string, number> | undefined;

  constructor(dedupe: 'all' | 'previous' = 'all') {
    if (dedupe === 'all') this.ids = new Map([['', 0]]);
  }

  /** Number of ids handed out (id 0 included). */
  get size(): number {
    return this.texts.length;
  }

  text(id: number): string {
    return this.texts[id] ?? '';
  }

  /** The id of a text, adding it when new (an id equal to the size before the call). */
  idOf(text: string): number {
    if (text === '') return 0;
    const last = this.texts.length - 1;
    if (this.ids === undefined) {
      if (last > 0 && this.texts[last] === text) return last;
    } else {
      const known = this.ids.get(text);
      if (known !== undefined) return known;
      this.ids.set(text, last + 1);
    }
    this.texts.push(text);
    return last + 1;
  }

  /** The id a text already has (interned tables only), undefined when it has none. */
  existingId(text: string): number | undefined {
    return this.ids?.get(text);
  }
}
