/**
 * A regular file's blocks on the root filesystem's disk (ext4, 4 KiB
 * blocks, one block per page): what a page-cache miss reads
 * (ext4_read_folio / ext4_mpage_readpages) and what writeback writes
 * (ext4_writepages). Sparse: a block never written back is a hole and
 * reads as zeros; a block written back holding only zeros is allocated
 * but keeps no bytes. Host memory grows only with the data written.
 *
 * Only pages the page cache wrote back are here: a dirty page lives in
 * the page cache until writeback (fsync, msync MS_SYNC) copies it.
 * @module
 */

const PAGE = 4096;

/** The disk blocks of one regular file, by page index. */
export class FileBlocks {
  /** Block index -> its bytes (4 KiB), or null for an allocated all-zero block. */
  private readonly blocks: Map<number, Uint8Array | null> = new Map();

  /** Whether block `index` is allocated (ext4: buffer_mapped after ext4_get_block). */
  mapped(index: number): boolean {
    return this.blocks.has(index);
  }

  /** The block's bytes, or undefined for a hole or an all-zero block. Treat as read-only. */
  read(index: number): Uint8Array | undefined {
    return this.blocks.get(index) ?? undefined;
  }

  /**
   * Writes a page to block `index` (allocating it): `bytes` is copied;
   * undefined or all zeros store no bytes.
   */
  write(index: number, bytes: Uint8Array | undefined): void {
    if (bytes === undefined || !bytes.some((b) => b !== 0)) {
      this.blocks.set(index, null);
      return;
    }
    const old = this.blocks.get(index);
    if (old) old.set(bytes.subarray(0, PAGE));
    else this.blocks.set(index, bytes.slice(0, PAGE));
  }

  /** Frees the blocks with index in [from, to) (`to` may be Infinity): punch hole, truncate. */
  punch(from: number, to = Infinity): void {
    if (to <= from) return;
    for (const index of [...this.blocks.keys()]) {
      if (index >= from && index < to) this.blocks.delete(index);
    }
  }

  /**
   * Moves every block at index >= `from` by `delta` blocks (ext4_ext_shift_extents
   * for COLLAPSE_RANGE and INSERT_RANGE); the caller freed the blocks a
   * collapse removes.
   */
  shift(from: number, delta: number): void {
    const moved: [number, Uint8Array | null][] = [];
    for (const [index, b] of this.blocks) if (index >= from) moved.push([index, b]);
    for (const [index] of moved) this.blocks.delete(index);
    for (const [index, b] of moved) this.blocks.set(index + delta, b);
  }

  /** Allocated blocks, in no particular order. */
  indices(): IterableIterator<number> {
    return this.blocks.keys();
  }

  /** Number of allocated blocks. */
  get count(): number {
    return this.blocks.size;
  }

  /** Host bytes holding block data. */
  get bytes(): number {
    let n = 0;
    for (const b of this.blocks.values()) if (b) n += b.length;
    return n;
  }

  /** Forgets every block (the inode was evicted: ext4_evict_inode frees them). */
  clear(): void {
    this.blocks.clear();
  }
}
