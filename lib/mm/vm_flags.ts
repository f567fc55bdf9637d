/**
 * `vm_flags`: the VM_* bits of a VMA, at their x86-64 bit numbers from
 * include/linux/mm.h (6.18), and the two-letter mnemonics that
 * fs/proc/task_mmu.c: show_smap_vma_flags() prints in bit order.
 *
 * A flags word is a JS number holding an unsigned integer below 2^53. Bits
 * 0-31 can be tested with `&` directly (ToInt32 keeps the low word); bits 32
 * and up (VM_DROPPABLE, VM_UFFD_MINOR, VM_SEALED...) need {@link has}.
 * Never build a flags word with `|`: use {@link set} and {@link clear}.
 *
 * ```
 *  63        42 41 40      37       31 30 29 ...  13 ... 8  7  6  5  4  3  2  1  0
 * +----------+--+--+--------+------+--+--+-----+---+-----+--+--+--+--+--+--+--+--+
 * |          |sl|ui|dp      |ss    |mg|nh|hg...|lo |...gd|ms|me|mw|mr|sh|ex|wr|rd|
 * +----------+--+--+--------+------+--+--+-----+---+-----+--+--+--+--+--+--+--+--+
 * ```
 * @module
 */

export const VM_NONE = 0;
/** VM_READ: pages may be read (PROT_READ). */
export const VM_READ = 1 << 0;
/** VM_WRITE: pages may be written (PROT_WRITE). */
export const VM_WRITE = 1 << 1;
/** VM_EXEC: pages may be executed (PROT_EXEC). */
export const VM_EXEC = 1 << 2;
/** VM_SHARED: writes reach the file or shared object (MAP_SHARED and writable). */
export const VM_SHARED = 1 << 3;
/** VM_MAYREAD: mprotect() may add PROT_READ. */
export const VM_MAYREAD = 1 << 4;
/** VM_MAYWRITE: mprotect() may add PROT_WRITE. */
export const VM_MAYWRITE = 1 << 5;
/** VM_MAYEXEC: mprotect() may add PROT_EXEC. */
export const VM_MAYEXEC = 1 << 6;
/** VM_MAYSHARE: the mapping was made MAP_SHARED (even if read-only). */
export const VM_MAYSHARE = 1 << 7;
/** VM_GROWSDOWN: a stack that grows down on faults below its start. */
export const VM_GROWSDOWN = 1 << 8;
/** VM_UFFD_MISSING: userfaultfd is registered for missing-page faults. */
export const VM_UFFD_MISSING = 1 << 9;
/** VM_PFNMAP: raw PFNs with no struct page behind them (remap_pfn_range). */
export const VM_PFNMAP = 1 << 10;
/** VM_MAYBE_GUARD: the VMA may hold guard regions (MADV_GUARD_INSTALL). */
export const VM_MAYBE_GUARD = 1 << 11;
/** VM_UFFD_WP: userfaultfd is registered for write-protect faults. */
export const VM_UFFD_WP = 1 << 12;
/** VM_LOCKED: pages are mlock()ed. */
export const VM_LOCKED = 1 << 13;
/** VM_IO: memory-mapped I/O; never dumped or pinned by get_user_pages. */
export const VM_IO = 1 << 14;
/** VM_SEQ_READ: MADV_SEQUENTIAL: the app reads sequentially. */
export const VM_SEQ_READ = 1 << 15;
/** VM_RAND_READ: MADV_RANDOM: the app reads randomly. */
export const VM_RAND_READ = 1 << 16;
/** VM_DONTCOPY: MADV_DONTFORK: the VMA is not copied on fork. */
export const VM_DONTCOPY = 1 << 17;
/** VM_DONTEXPAND: mremap() may not grow the VMA. */
export const VM_DONTEXPAND = 1 << 18;
/** VM_LOCKONFAULT: mlock2(MLOCK_ONFAULT): lock pages as they fault in. */
export const VM_LOCKONFAULT = 1 << 19;
/** VM_ACCOUNT: the VMA is charged to committed memory (overcommit accounting). */
export const VM_ACCOUNT = 1 << 20;
/** VM_NORESERVE: MAP_NORESERVE: no commit charge for the mapping. */
export const VM_NORESERVE = 1 << 21;
/** VM_HUGETLB: a hugetlbfs mapping. */
export const VM_HUGETLB = 1 << 22;
/** VM_SYNC: MAP_SYNC: synchronous page faults for DAX. */
export const VM_SYNC = 1 << 23;
/** VM_ARCH_1: architecture-specific bit (x86: VM_PAT, PAT attributes set). */
export const VM_ARCH_1 = 1 << 24;
/** VM_WIPEONFORK: MADV_WIPEONFORK: the child sees zero-filled memory. */
export const VM_WIPEONFORK = 1 << 25;
/** VM_DONTDUMP: MADV_DONTDUMP: left out of core dumps. */
export const VM_DONTDUMP = 1 << 26;
/** VM_SOFTDIRTY: soft-dirty tracking marks the whole VMA dirty. */
export const VM_SOFTDIRTY = 1 << 27;
/** VM_MIXEDMAP: a mix of struct-page and raw PFN mappings (vm_insert_mixed). */
export const VM_MIXEDMAP = 1 << 28;
/** VM_HUGEPAGE: MADV_HUGEPAGE: THP wanted. */
export const VM_HUGEPAGE = 1 << 29;
/** VM_NOHUGEPAGE: MADV_NOHUGEPAGE: THP refused. */
export const VM_NOHUGEPAGE = 1 << 30;
/** Bit 31: `2 ** 31`, not `1 << 31` (which is negative in JS). */
export const VM_MERGEABLE = 2 ** 31;
/**
 * The 2014 RFC's VM_USERFAULT (policy uffd.madv18 = userfault-rfc, never
 * merged): bit 32, where vm_flags had to grow to 64 bits; the RFC's
 * show_smap_vma_flags() prints it `uf`. 6.18 has pkey bit 0 there, which
 * mmlab never sets (no pkeys), so the bit means only this.
 */
export const VM_USERFAULT = 2 ** 32;
/** VM_SHADOW_STACK: an x86 CET user shadow stack (map_shadow_stack). */
export const VM_SHADOW_STACK = 2 ** 37;
/** VM_DROPPABLE: MAP_DROPPABLE: the kernel may drop the contents under pressure. */
export const VM_DROPPABLE = 2 ** 40;
/** VM_UFFD_MINOR: userfaultfd is registered for minor faults. */
export const VM_UFFD_MINOR = 2 ** 41;
/** VM_SEALED: mseal()ed: the mapping may not be changed or unmapped. */
export const VM_SEALED = 2 ** 42;

/** include/linux/mm.h: VM_SPECIAL, VMAs that never merge and are never expanded. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
/** include/linux/mm.h: VM_LOCKED_MASK, the flags that mean some kind of mlock. */
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
/** include/linux/mm.h: VM_ACCESS_FLAGS, the read/write/exec permission bits. */
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** mm/vma.h: flags ignored when deciding a merge (and OR-ed into the result). */
export const VM_IGNORE_MERGE = VM_SOFTDIRTY | VM_MAYBE_GUARD;
/** include/linux/mm.h: VM_STACK for the main stack on x86-64 (VM_GROWSDOWN). */
export const VM_STACK: number = VM_GROWSDOWN;

const TWO32 = 2 ** 32;

/**
 * A word with no bit above 31: the 32-bit operators give the answer
 * directly (the general forms split the word with `%`, a float modulo).
 */
function low(x: number): boolean {
  return x >= 0 && x < TWO32;
}

/** True when every bit of `mask` is set in `flags` (any bit position). */
export function has(flags: number, mask: number): boolean {
  // A word holding every bit of mask is at least mask: below it, the answer
  // is no without the slow path (VM_USERFAULT, bit 32, on every fault).
  if (flags < mask) return false;
  if (low(flags) && low(mask)) return ((flags & mask) >>> 0) === mask;
  return ((flags % TWO32) & (mask % TWO32)) >>> 0 === mask % TWO32 >>> 0 &&
    ((Math.floor(flags / TWO32) & Math.floor(mask / TWO32)) >>> 0) ===
      (Math.floor(mask / TWO32) >>> 0);
}

/** True when any bit of `mask` is set in `flags` (any bit position). */
export function any(flags: number, mask: number): boolean {
  if (low(flags) && low(mask)) return (flags & mask) !== 0;
  return (((flags % TWO32) & (mask % TWO32)) >>> 0) !== 0 ||
    (Math.floor(flags / TWO32) & Math.floor(mask / TWO32)) !== 0;
}

/** `flags | mask` for words with bits above 31. */
export function set(flags: number, mask: number): number {
  if (low(flags) && low(mask)) return (flags | mask) >>> 0;
  const lo = ((flags % TWO32) | (mask % TWO32)) >>> 0;
  const hi = (Math.floor(flags / TWO32) | Math.floor(mask / TWO32)) >>> 0;
  return hi * TWO32 + lo;
}

/** ORs any number of masks, high bits included (`a | b` would drop bits 32+). */
export function combine(...masks: number[]): number {
  let f = 0;
  for (const m of masks) f = set(f, m);
  return f;
}

/** `flags & ~mask` for words with bits above 31. */
export function clear(flags: number, mask: number): number {
  if (low(flags) && low(mask)) return (flags & ~mask) >>> 0;
  const lo = ((flags % TWO32) & ~(mask % TWO32)) >>> 0;
  const hi = (Math.floor(flags / TWO32) & ~Math.floor(mask / TWO32)) >>> 0;
  return hi * TWO32 + lo;
}

/** `a ^ b`, for merge comparisons. */
export function xor(a: number, b: number): number {
  if (low(a) && low(b)) return (a ^ b) >>> 0;
  const lo = ((a % TWO32) ^ (b % TWO32)) >>> 0;
  const hi = (Math.floor(a / TWO32) ^ Math.floor(b / TWO32)) >>> 0;
  return hi * TWO32 + lo;
}

/**
 * show_smap_vma_flags(): mnemonic per bit, "" for bits that print nothing
 * (pkey bits 33-35 print as ProtectionKey instead; bit 32 is the 2014 RFC's
 * VM_USERFAULT `uf`, see {@link VM_USERFAULT}), undefined for bits that
 * print `??`. This 6.18.44 build has VM_MAYBE_GUARD (`gu`) at bit 11.
 */
export const VM_FLAG_MNEMONICS: ReadonlyArray<string | undefined> = (() => {
  const t: (string | undefined)[] = new Array(64).fill(undefined);
  const names = [
    "rd",
    "wr",
    "ex",
    "sh",
    "mr",
    "mw",
    "me",
    "ms",
    "gd",
    "um",
    "pf",
    "gu",
    "uw",
    "lo",
    "io",
    "sr",
    "rr",
    "dc",
    "de",
    "lf",
    "ac",
    "nr",
    "ht",
    "sf",
    "ar",
    "wf",
    "dd",
    "sd",
    "mm",
    "hg",
    "nh",
    "mg",
  ];
  names.forEach((n, i) => (t[i] = n));
  for (let b = 33; b <= 35; b++) t[b] = "";
  t[32] = "uf";
  t[37] = "ss";
  t[40] = "dp";
  t[41] = "ui";
  t[42] = "sl";
  return t;
})();

/** The smaps `VmFlags:` field body: each set bit's mnemonic followed by a space. */
export function vmFlagsText(flags: number): string {
  let out = "";
  let lo = flags % TWO32;
  let hi = Math.floor(flags / TWO32);
  for (let bit = 0; bit < 64 && (lo !== 0 || hi !== 0); bit++) {
    const on = bit < 32 ? (lo & 1) : (hi & 1);
    if (bit < 32) lo = Math.floor(lo / 2);
    else hi = Math.floor(hi / 2);
    if (!on) continue;
    const m = VM_FLAG_MNEMONICS[bit];
    if (m === "") continue;
    out += (m ?? "??") + " ";
  }
  return out;
}

/** Parses mnemonics ("rd wr mr") back into a flags word; for tests and tools. */
export function parseVmFlags(text: string): number {
  let flags = 0;
  for (const word of text.trim().split(/\s+/)) {
    if (!word) continue;
    const bit = VM_FLAG_MNEMONICS.indexOf(word);
    if (bit < 0) throw new Error(`unknown VmFlags mnemonic ${word}`);
    flags = set(flags, 2 ** bit);
  }
  return flags;
}
