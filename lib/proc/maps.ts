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

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
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

/** One maps line (without the newline). */
export function mapsLine(v: Vma): string {
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
