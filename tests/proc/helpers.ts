/** Shared helpers for the /proc view tests. */
import { Machine, mman, type Process, smapsLines, syscall } from "../../mod.ts";

/** linux-mm.md §0: the test window. */
export const B = 0x7f0000000000;
export const PG = 0x1000;

export const RW = mman.PROT_READ | mman.PROT_WRITE;
export const ANON = mman.MAP_PRIVATE | mman.MAP_ANONYMOUS | mman.MAP_FIXED_NOREPLACE;
export const SHANON = mman.MAP_SHARED | mman.MAP_ANONYMOUS | mman.MAP_FIXED_NOREPLACE;

/** mmap(addr, len, prot, flags, fd, off) that must succeed at addr. */
export function map(
  p: Process,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd = -1,
): number {
  const r = syscall(p, "mmap", [BigInt(addr), BigInt(len), prot, flags, fd, 0n]).ret;
  if (r !== addr) throw new Error(`mmap at ${addr.toString(16)} gave ${r}`);
  return r;
}

/** A fresh machine and its first process. */
export function fresh(): [Machine, Process] {
  const m = new Machine();
  return [m, m.init];
}

/** The smaps block (header line and fields) of the VMA starting at addr. */
export function smapsBlock(p: Process, addr: number): string[] {
  const lines = smapsLines(p);
  const head = addr.toString(16) + "-";
  const i = lines.findIndex((l) => l.startsWith(head));
  if (i < 0) throw new Error(`no smaps block at ${addr.toString(16)}`);
  let j = i + 1;
  while (j < lines.length && !/^[0-9a-f]+-[0-9a-f]+ /.test(lines[j])) j++;
  return lines.slice(i, j);
}

/** One field of a VMA's smaps block, as printed after the label ("8 kB", "1"). */
export function smapsField(p: Process, addr: number, name: string): string {
  const l = smapsBlock(p, addr).find((x) => x.startsWith(name + ":"));
  if (l === undefined) throw new Error(`no ${name} in smaps block`);
  return l.slice(name.length + 1).trim();
}

/** Several fields at once, as "Name=value" strings, for compact assertions. */
export function smapsFields(p: Process, addr: number, names: string[]): string[] {
  return names.map((n) => `${n}=${smapsField(p, addr, n)}`);
}

/** A status field's kB value. */
export function kbOf(lines: string[], name: string): number {
  const l = lines.find((x) => x.startsWith(name + ":"));
  if (l === undefined) throw new Error(`no ${name}`);
  return Number(/(\d+) kB$/.exec(l)![1]);
}
