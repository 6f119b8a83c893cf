import type { Rec } from './engine.js';

/* Beyond this many documents the memo of arrays known to hold only strings starts again. */
const MAX_VERIFIED = 500_000;

/**
 * Decoded documents kept for reuse, bounded by their stored size; and, per stored document, the
 * fields already found to be arrays of strings only (a search tests a ticket's terms on its bytes
 * at each search; walking ~800 elements to check their types each time cost a third of it). Both
 * are forgotten together, whenever the document may have changed.
 */
export class RecordCache {
  private readonly map = new Map<string, { rec: Rec; bytes: number }>();
  private bytes = 0;
  readonly verified = new Map<string, Set<string>>();
  constructor(private readonly maxBytes: number) {}
  /** The memo of one document's verified fields, to read and add to. */
  verifiedOf(key: string): Set<string> {
    let set = this.verified.get(key);
    if (!set) {
      if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
      set = new Set();
      this.verified.set(key, set);
    }
    return set;
  }
  get(key: string): Rec | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.rec;
  }
  set(key: string, rec: Rec, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes / 16) return;
    this.map.set(key, { rec, bytes });
    this.bytes += bytes;
    if (this.bytes <= this.maxBytes) return;
    // Down to 7/8 of the budget at once: a walk from the map's head passes every entry deleted since
    // the map last compacted (each read moves its entry to the end), so evicting one entry per read
    // made a read cost that whole walk once the working set outgrew the cache.
    const floor = this.maxBytes - this.maxBytes / 8;
    for (const [k, v] of this.map) {
      if (this.bytes <= floor) break;
      this.map.delete(k);
      this.bytes -= v.bytes;
    }
  }
  delete(key: string): void {
    this.verified.delete(key);
    const hit = this.map.get(key);
    if (!hit) return;
    this.map.delete(key);
    this.bytes -= hit.bytes;
  }
  clear(): void {
    this.verified.clear();
    this.map.clear();
    this.bytes = 0;
  }
}
