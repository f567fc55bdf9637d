/**
 * /proc/PID/maps: fs/proc/task_mmu.c show_map_vma(),
 * show_vma_header_prefix() and get_vma_name(). linux-mm.md §10.1.
 *
 * {@link mapsEntries} returns the file as data, one {@link MapsEntry} per
 * line; {@link renderMapsEntry} prints an entry as the kernel does:
 * ```
 * 7f0000000000-7f0000004000 rw-p 00000000 00:00 0
 * 7f0000004000-7f0000005000 r--p 00002000 fd:01 1234                       /usr/lib/libc.so.6
 * ^start       ^end         perms ^pgoff<<12 ^dev ^inode   (column 74:)  ^name
 * ```
 * @module
 */

import type { Process } from "./process.ts";
import type { Vma } from "../mm/vma.ts";
import { VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE } from "../mm/vm_flags.ts";

/** One line of /proc/PID/maps, as data. */
export interface MapsEntry {
  /** vm_start: the first address. */
  readonly start: number;
  /** vm_end: the address after the last byte. */
  readonly end: number;
  /** `rwxp` / `rw-s`: read, write, exec, then `s` shared (VM_MAYSHARE) or `p` private. */
  readonly perms: string;
  /** vm_pgoff in pages for a file mapping (the file prints it in bytes), 0 otherwise. */
  readonly pgoff: number;
  /** The file's device, `MAJOR:MINOR` in two-digit hex as the file prints it (`00:00` for none). */
  readonly dev: string;
  /** The file's inode number, 0 for none. */
  readonly inode: number;
  /** get_vma_name(): a path (` (deleted)` once unlinked), `[heap]`, `[stack]`, `[anon:NAME]`, ... or "". */
  readonly name: string;
}

/** The [vsyscall] gate area: not a VMA, always the last entry. */
export const VSYSCALL_ENTRY: MapsEntry = Object.freeze({
  start: 0xffffffffff600000,
  end: 0xffffffffff601000,
  perms: "--xp",
  pgoff: 0,
  dev: "00:00",
  inode: 0,
  name: "[vsyscall]",
});

/** The [vsyscall] gate area line: not a VMA, always printed last. */
export const VSYSCALL_LINE =
  "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";

/**
 * Lowercase hex, zero-padded to `width`. Number#toString(16) is slow for
 * values above 2^31 (every user address), so those go in two 24-bit halves.
 */
function hex(n: number, width: number): string {
  let s: string;
  if (n < 0x80000000) s = n.toString(16);
  else {
    const hi = Math.floor(n / 0x1000000);
    const lo = (n - hi * 0x1000000).toString(16);
    s = hi.toString(16) + "000000".slice(lo.length) + lo;
  }
  return s.length >= width ? s : "00000000".slice(0, width - s.length) + s;
}

/** get_vma_name(): the name column, or "" for none. */
export function vmaName(v: Vma): string {
  if (v.file !== null) {
    const inode = v.file.inode;
    const path = inode.path.replaceAll("\n", "\\012");
    return inode.nlink === 0 ? `${path} (deleted)` : path;
  }
  const n = v.ops?.name?.(v);
  if (n) return n;
  const mm = v.mm;
  if (v.start < mm.brk && v.end > mm.startBrk) return "[heap]";
  if (v.start <= mm.startStack && mm.startStack <= v.end) return "[stack]";
  if (v.anonName !== null) return `[anon:${v.anonName}]`;
  return "";
}

/**
 * The last entry and line made for a VMA and everything they were made
 * from; a maps read rebuilds only VMAs that changed since.
 */
interface Memo {
  start: number;
  end: number;
  flags: number;
  pgoff: number;
  file: Vma["file"];
  path: string;
  nlink: number;
  ops: Vma["ops"];
  anonName: string | null;
  brk: number;
  startBrk: number;
  startStack: number;
  entry: MapsEntry;
  line: string;
}

/** The VMA's memo, brought up to date. */
function memo(v: Vma): Memo {
  const c = v.viewMemo as Memo | null;
  const mm = v.mm;
  if (
    c !== null && c.start === v.start && c.end === v.end && c.flags === v.flags &&
    c.pgoff === v.pgoff && c.file === v.file && c.ops === v.ops && c.anonName === v.anonName &&
    c.brk === mm.brk && c.startBrk === mm.startBrk && c.startStack === mm.startStack &&
    (v.file === null || (c.path === v.file.inode.path && c.nlink === v.file.inode.nlink))
  ) return c;
  const entry = makeEntry(v);
  const m: Memo = {
    start: v.start,
    end: v.end,
    flags: v.flags,
    pgoff: v.pgoff,
    file: v.file,
    path: v.file?.inode.path ?? "",
    nlink: v.file?.inode.nlink ?? 0,
    ops: v.ops,
    anonName: v.anonName,
    brk: mm.brk,
    startBrk: mm.startBrk,
    startStack: mm.startStack,
    entry,
    line: flat(renderMapsEntry(entry)),
  };
  v.viewMemo = m;
  return m;
}

/**
 * A flat copy of a string. A line built by concatenation is a rope that
 * every later join walks again (and slowly); a memoised line is joined on
 * every read, so it is made flat once: a JSON round trip returns a string
 * in one sequential piece, equal to the input.
 */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s));
}

/** show_map_vma() as data. */
function makeEntry(v: Vma): MapsEntry {
  const f = v.flags;
  const perms = (f & VM_READ ? "r" : "-") + (f & VM_WRITE ? "w" : "-") + (f & VM_EXEC ? "x" : "-") +
    (f & VM_MAYSHARE ? "s" : "p");
  let dev = "00:00", inode = 0, pgoff = 0;
  if (v.file !== null) {
    const sb = v.file.inode.sb;
    dev = `${hex(sb.major, 2)}:${hex(sb.minor, 2)}`;
    inode = v.file.inode.ino;
    pgoff = v.pgoff;
  }
  return Object.freeze({ start: v.start, end: v.end, perms, pgoff, dev, inode, name: vmaName(v) });
}

/** The maps entry of one VMA (shared and frozen: do not modify). */
export function mapsEntry(v: Vma): MapsEntry {
  return memo(v).entry;
}

/** show_map_vma(): one maps line (without the newline) from an entry. */
export function renderMapsEntry(e: MapsEntry): string {
  const head = `${hex(e.start, 8)}-${hex(e.end, 8)} ${e.perms} ${
    hex(e.pgoff * 4096, 8)
  } ${e.dev} ${e.inode} `;
  if (e.name === "") return head;
  // seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) then seq_pad(m, ' ').
  return head.padEnd(73, " ") + e.name;
}

/** One maps line (without the newline). */
export function mapsLine(v: Vma): string {
  return memo(v).line;
}

/** The whole of /proc/PID/maps as data: one entry per VMA, then the [vsyscall] gate. */
export function mapsEntries(p: Process): MapsEntry[] {
  const out: MapsEntry[] = [];
  for (let v = p.mm.vmas.first; v !== null; v = v.next) out.push(memo(v).entry);
  out.push(VSYSCALL_ENTRY);
  return out;
}

/**
 * The lines of the last maps read of an mm, by position, with what each
 * anonymous (file-less) line was made from in packed arrays: the next read
 * compares each VMA with its slot, in order, without touching the per-VMA
 * memo. A file VMA's slot holds null (its line depends on the inode: it
 * goes through the per-VMA memo). Valid for one brk/startBrk/startStack.
 */
interface ReadMemo {
  brk: number;
  startBrk: number;
  startStack: number;
  vmas: (Vma | null)[];
  start: Float64Array;
  end: Float64Array;
  flags: Float64Array;
  pgoff: Float64Array;
  ops: Vma["ops"][];
  anonName: (string | null)[];
  lines: string[];
}

/** The mm's file memo, emptied if stale, with room for `n` slots. */
function readMemo(p: Process, n: number): ReadMemo {
  const mm = p.mm;
  let f = mm.viewMemo as ReadMemo | null;
  if (
    f === null || f.brk !== mm.brk || f.startBrk !== mm.startBrk ||
    f.startStack !== mm.startStack || f.start.length < n
  ) {
    const cap = Math.max(n, 16) * 2;
    const old = f;
    f = {
      brk: mm.brk,
      startBrk: mm.startBrk,
      startStack: mm.startStack,
      vmas: [],
      start: new Float64Array(cap),
      end: new Float64Array(cap),
      flags: new Float64Array(cap),
      pgoff: new Float64Array(cap),
      ops: [],
      anonName: [],
      lines: [],
    };
    // Growing keeps the slots (the mm-wide values are the same).
    if (
      old !== null && old.brk === f.brk && old.startBrk === f.startBrk &&
      old.startStack === f.startStack
    ) {
      f.vmas = old.vmas;
      f.start.set(old.start);
      f.end.set(old.end);
      f.flags.set(old.flags);
      f.pgoff.set(old.pgoff);
      f.ops = old.ops;
      f.anonName = old.anonName;
      f.lines = old.lines;
    }
    mm.viewMemo = f;
  }
  return f;
}

/** The whole of /proc/PID/maps, one string per line. */
export function mapsLines(p: Process): string[] {
  const n = p.mm.vmas.count;
  const f = readMemo(p, n);
  const { vmas, start, end, flags, pgoff, ops, anonName, lines } = f;
  let i = 0;
  for (let v = p.mm.vmas.first; v !== null; v = v.next, i++) {
    if (
      vmas[i] === v && start[i] === v.start && end[i] === v.end && flags[i] === v.flags &&
      pgoff[i] === v.pgoff && ops[i] === v.ops && anonName[i] === v.anonName
    ) continue;
    // Changed (or a file VMA): the per-VMA memo, and the slot follows the VMA.
    lines[i] = memo(v).line;
    vmas[i] = v.file === null ? v : null;
    start[i] = v.start;
    end[i] = v.end;
    flags[i] = v.flags;
    pgoff[i] = v.pgoff;
    ops[i] = v.ops;
    anonName[i] = v.anonName;
  }
  vmas.length =
    ops.length =
    anonName.length =
    lines.length =
      n;
  const out = lines.slice();
  out.push(VSYSCALL_LINE);
  return out;
}
