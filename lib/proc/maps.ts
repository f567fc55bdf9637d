/**
 * /proc/PID/maps: fs/proc/task_mmu.c show_map_vma(),
 * show_vma_header_prefix() and get_vma_name(). linux-mm.md §10.1.
 * @module
 */

import type { Process } from "./process.ts";
import type { Vma } from "../mm/vma.ts";
import { VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE } from "../mm/vm_flags.ts";

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
 * The last line formatted for a VMA and everything it was made from; a
 * maps read reformats only VMAs that changed since.
 */
interface LineCache {
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
  line: string;
}

/** One maps line (without the newline). */
export function mapsLine(v: Vma): string {
  const c = v.viewMemo as LineCache | null;
  const mm = v.mm;
  if (
    c !== null && c.start === v.start && c.end === v.end && c.flags === v.flags &&
    c.pgoff === v.pgoff && c.file === v.file && c.ops === v.ops && c.anonName === v.anonName &&
    c.brk === mm.brk && c.startBrk === mm.startBrk && c.startStack === mm.startStack &&
    (v.file === null || (c.path === v.file.inode.path && c.nlink === v.file.inode.nlink))
  ) return c.line;
  const line = formatLine(v);
  v.viewMemo = {
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
    line,
  } satisfies LineCache;
  return line;
}

/** show_map_vma(): formats one line from scratch. */
function formatLine(v: Vma): string {
  const f = v.flags;
  const perms = (f & VM_READ ? "r" : "-") + (f & VM_WRITE ? "w" : "-") + (f & VM_EXEC ? "x" : "-") +
    (f & VM_MAYSHARE ? "s" : "p");
  let dev = "00:00", ino = 0, off = 0;
  if (v.file !== null) {
    const sb = v.file.inode.sb;
    dev = `${hex(sb.major, 2)}:${hex(sb.minor, 2)}`;
    ino = v.file.inode.ino;
    off = v.pgoff * 4096;
  }
  const head = `${hex(v.start, 8)}-${hex(v.end, 8)} ${perms} ${hex(off, 8)} ${dev} ${ino} `;
  const name = vmaName(v);
  if (name === "") return head;
  // seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) then seq_pad(m, ' ').
  return head.padEnd(73, " ") + name;
}

/** The whole of /proc/PID/maps, one string per line. */
export function mapsLines(p: Process): string[] {
  const out: string[] = [];
  for (let v = p.mm.vmas.first; v !== null; v = v.next) out.push(mapsLine(v));
  out.push(VSYSCALL_LINE);
  return out;
}
