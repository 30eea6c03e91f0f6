/**
 * An index from a key (an entity or relation-type uid) to the rows of the column
 * store that hold it, each list ordered by fact uid. Built once after loading in
 * compressed-sparse-row form (one Int32Array of rows grouped by key, one of offsets),
 * so a million facts cost 4 bytes a row plus a map entry a key; rows appended later
 * go to a small overflow of whole lists (a key's loaded rows are copied there on its
 * first change), so every lookup reads exactly one list.
 */
export class RowIndex {
  /** key → slot; slots below `builtSlots` have a list in `rows`. */
  private readonly slots = new Map<number, number>();
  private offsets = new Int32Array(1);
  private rows = new Int32Array(0);
  private builtSlots = 0;
  /** Lists of slots changed or created after the build, in fact uid order. */
  private readonly grown = new Map<number, number[]>();

  /**
   * Indexes rows 0..count-1 by keyOf(row) (keys that are NaN are left out), each list
   * sorted by factUidOf(row). Call once, before add().
   */
  build(count: number, keyOf: (row: number) => number, factUidOf: (row: number) => number): void {
    if (this.slots.size > 0) throw new Error('RowIndex.build: already built');
    const slotOfRow = new Int32Array(count);
    let lengths = new Int32Array(1024);
    for (let row = 0; row < count; row++) {
      const key = keyOf(row);
      if (Number.isNaN(key)) {
        slotOfRow[row] = -1;
        continue;
      }
      let slot = this.slots.get(key);
      if (slot === undefined) {
        slot = this.slots.size;
        this.slots.set(key, slot);
        if (slot >= lengths.length) {
          const bigger = new Int32Array(lengths.length * 2);
          bigger.set(lengths);
          lengths = bigger;
        }
      }
      slotOfRow[row] = slot;
      lengths[slot]!++;
    }
    const slotCount = this.slots.size;
    const offsets = new Int32Array(slotCount + 1);
    for (let slot = 0; slot < slotCount; slot++) offsets[slot + 1] = offsets[slot]! + lengths[slot]!;
    const rows = new Int32Array(offsets[slotCount]!);
    const fill = lengths; // reused as the next free position of each slot
    for (let slot = 0; slot < slotCount; slot++) fill[slot] = offsets[slot]!;
    for (let row = 0; row < count; row++) {
      const slot = slotOfRow[row]!;
      if (slot >= 0) rows[fill[slot]!++] = row;
    }
    // Rows are mostly in fact uid order already (tables are written that way): sort only lists that are not.
    for (let slot = 0; slot < slotCount; slot++) {
      const start = offsets[slot]!;
      const end = offsets[slot + 1]!;
      for (let i = start + 1; i < end; i++) {
        if (factUidOf(rows[i - 1]!) > factUidOf(rows[i]!)) {
          rows.subarray(start, end).sort((a, b) => factUidOf(a) - factUidOf(b));
          break;
        }
      }
    }
    this.offsets = offsets;
    this.rows = rows;
    this.builtSlots = slotCount;
  }

  /** Number of keys with at least one row. */
  get keyCount(): number {
    return this.slots.size;
  }

  has(key: number): boolean {
    return this.slots.has(key);
  }

  /** Number of rows of a key (0 for an unknown key), without making a view of them. */
  countOf(key: number): number {
    const slot = this.slots.get(key);
    if (slot === undefined) return 0;
    return this.grown.get(slot)?.length ?? this.offsets[slot + 1]! - this.offsets[slot]!;
  }

  /** The rows of a key in fact uid order (empty for an unknown key). Do not change the answer. */
  rowsOf(key: number): ArrayLike<number> {
    const slot = this.slots.get(key);
    if (slot === undefined) return NO_ROWS;
    return this.grown.get(slot) ?? this.rows.subarray(this.offsets[slot], this.offsets[slot + 1]);
  }

  /** Adds one row (appended after the build) at its place by fact uid. */
  add(key: number, row: number, factUidOf: (row: number) => number): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(key, slot);
    }
    let list = this.grown.get(slot);
    if (!list) {
      list = slot < this.builtSlots ? Array.from(this.rows.subarray(this.offsets[slot], this.offsets[slot + 1])) : [];
      this.grown.set(slot, list);
    }
    const factUid = factUidOf(row);
    let at = list.length;
    while (at > 0 && factUidOf(list[at - 1]!) > factUid) at--;
    list.splice(at, 0, row);
  }
}

const NO_ROWS: ArrayLike<number> = Object.freeze([]) as readonly number[];
