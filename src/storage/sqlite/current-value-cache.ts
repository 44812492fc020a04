/**
 * The current rows of recently read or written keys, least recently written (or loaded) first out once their values
 * exceed a budget (in UTF-16 code units, about bytes). The SQLite store is the only writer of its database, so a row here is
 * the row SQLite would return: reads and the writes' precondition checks skip the kv/events join.
 */
export type CachedRow = [value: string, createRev: number, modRev: number];

export class CurrentValueCache {
  private readonly rows = new Map<string, CachedRow>();
  private used = 0;

  constructor(private readonly budget: number) {}

  /** A read does not reorder (that costs more than it saves): eviction goes by when a row was last written or loaded. */
  get(key: string): CachedRow | undefined {
    return this.rows.get(key);
  }

  set(key: string, row: CachedRow): void {
    if (this.budget <= 0) return;
    this.delete(key);
    const cost = key.length + row[0].length;
    if (cost > this.budget) return;
    this.rows.set(key, row);
    this.used += cost;
    while (this.used > this.budget) {
      const oldest = this.rows.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const row = this.rows.get(key);
    if (!row) return;
    this.rows.delete(key);
    this.used -= key.length + row[0].length;
  }

  get size(): number {
    return this.rows.size;
  }

  get usedUnits(): number {
    return this.used;
  }
}
