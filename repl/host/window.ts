/**
 * The reserved window where mmlab and the host kernel are compared, and
 * the prelude that makes both address spaces agree inside it.
 *
 * Both sides run without ASLR (mmap_base 0x7ffff7fff000) but their images
 * differ (mmlab's condensed program, the host's mmhost binary and libc).
 * Before a command file runs, every free gap between {@link WINDOW_HI} and
 * mmap_base is filled with PROT_NONE placeholders (MAP_FIXED_NOREPLACE |
 * MAP_NORESERVE; the first page at WINDOW_HI is a shared one, which never
 * merges, so a mapping made just below the window's top stays its own
 * VMA). Top-down placement then starts at WINDOW_HI on both sides and
 * descends identically. `maps`/`smaps` are compared inside
 * [{@link WINDOW_LO}, {@link WINDOW_HI}) only.
 *
 * The map count (for vm.max_map_count cases) is made equal by padding the
 * side with fewer VMAs (see {@link padMmlab}). mmlab's fds 0-2 are opened on its terminal, as the
 * host's are open (on /dev/null).
 * @module
 */

import { type Process, syscall } from "../../mod.ts";
import { installStdio } from "../../lib/fs/syscalls.ts";

/** The window's bottom: everything the command files touch lies above. */
export const WINDOW_LO = 0x7e0000000000;
/** The window's top: NULL-hint mmaps land just below it. */
export const WINDOW_HI = 0x7ff000000000;
/** mmap_base without ASLR and with an 8 MiB stack limit (linux-mm.md §2.4). */
export const MMAP_BASE = 0x7ffff7fff000;

const PROT_NONE = 0n, PROT_READ = 1n;
const MAP_SHARED = 0x01n, MAP_PRIVATE = 0x02n, MAP_ANONYMOUS = 0x20n;
const MAP_NORESERVE = 0x4000n, MAP_FIXED_NOREPLACE = 0x100000n;

function placeholder(p: Process, start: number, end: number, shared: boolean): number {
  const flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
    MAP_NORESERVE;
  return syscall(p, "mmap", [BigInt(start), BigInt(end - start), PROT_NONE, flags, -1n, 0n]).ret;
}

/** Per process: the last page of the private placeholder above the window (see padMmlab). */
const padTop = new WeakMap<Process, number>();

/** The number of VMAs (map_count). */
export function mapCount(p: Process): number {
  return p.mm.mapCount;
}

/**
 * Fills the free gaps of [WINDOW_HI, MMAP_BASE) of mmlab's process, as the
 * host's `reserve` does. Returns the map count, or a negative errno.
 */
export function reserveMmlab(p: Process): number {
  if (p.fds[0] === undefined) installStdio(p);
  const gaps: [number, number][] = [];
  let cur = WINDOW_HI;
  for (let v = p.mm.vmas.first; v !== null && cur < MMAP_BASE; v = v.next) {
    if (v.end <= cur) continue;
    const s = Math.min(v.start, MMAP_BASE);
    if (s > cur) gaps.push([cur, s]);
    else if (cur === WINDOW_HI) return -17; // EEXIST: the window's top is taken
    cur = Math.max(cur, v.end);
  }
  if (cur < MMAP_BASE) gaps.push([cur, MMAP_BASE]);
  for (const [s0, e] of gaps) {
    let s = s0;
    if (s === WINDOW_HI) {
      const r = placeholder(p, s, s + 4096, true);
      if (r < 0) return r;
      s += 4096;
    }
    if (s < e) {
      const r = placeholder(p, s, e, false);
      if (r < 0) return r;
      if (s === WINDOW_HI + 4096) padTop.set(p, e - 4096);
    }
  }
  return mapCount(p);
}

/** Per process: where the next padding island goes. */
const padNext = new WeakMap<Process, number>();

/**
 * Where the first padding island goes: 1 GiB above the window, so that a
 * command reaching a few pages past the window's top (a fuzzed
 * `mremap(n + 3*4K, ...)` of a mapping made just below it) meets the same
 * uniform placeholder on both sides, not an island only one side has.
 */
export const PAD_ISLANDS = WINDOW_HI + 0x40000000;

/**
 * Adds VMAs until the map count is `target`, as the host's `pad` does:
 * each one-page PROT_READ island inside the private placeholder above
 * WINDOW_HI adds two VMAs while splits are allowed (up to max_map_count);
 * the rest, one by one, are shared pages mapped into holes cut at that
 * placeholder's top (a tail unmap needs no split, and mmap may take the
 * count to max_map_count + 1). Returns the map count or -errno.
 */
export function padMmlab(p: Process, target: number): number {
  const have = mapCount(p);
  if (target < have) return -22;
  if (target === have) return have;
  const d = target - have;
  // Splits stop at max_map_count: the rest are holes with shared pages.
  const max = p.machine.sysctl.maxMapCount;
  let k = Math.floor(d / 2);
  if (have + 2 * k > max) k = max > have ? Math.floor((max - have) / 2) : 0;
  const holes = d - 2 * k;
  let next = padNext.get(p) ?? PAD_ISLANDS;
  let top = padTop.get(p) ?? 0;
  if (top < next + (2 * k + holes + 2) * 4096) return -12;
  for (let i = 0; i < k; i++) {
    const r = syscall(p, "mprotect", [BigInt(next), 4096n, PROT_READ]).ret;
    if (r < 0) return r;
    next += 8192;
  }
  padNext.set(p, next);
  for (let i = 0; i < holes; i++) {
    const r = syscall(p, "munmap", [BigInt(top), 4096n]).ret;
    if (r < 0) return r;
    const m = placeholder(p, top, top + 4096, true);
    if (m < 0) return m;
    top -= 4096;
    padTop.set(p, top);
  }
  return mapCount(p);
}

/** Whether a VMA [start, end) meets the window. */
export function inWindow(start: number, end: number): boolean {
  return start < WINDOW_HI && end > WINDOW_LO;
}
