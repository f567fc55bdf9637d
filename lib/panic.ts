/**
 * The kernel's loud failures: WARN() splats and BUG() oopses as dmesg
 * shows them, and the taint flags they leave (kernel/panic.c __warn(),
 * add_taint(); arch/x86/kernel/dumpstack.c die()). A WARNING taints the
 * kernel `W` (TAINT_WARN) and goes on; a BUG is an oops: the task is
 * killed (make_task_dead(SIGSEGV)) and the kernel is tainted `D`
 * (TAINT_DIE). What is printed is the part a reader compares: the cut
 * marker, the WARNING/BUG line with file:line and the function, the call
 * trace, the end marker. Registers and module lists are left out.
 *
 * Pure text and flags: who dies is the caller's business (the machine
 * kills the task; see Machine.oops).
 * @module
 */

import type { Dmesg } from "./dmesg.ts";
import { RFC_PRESETS } from "./policy.ts";

/** include/linux/panic.h taint bits mmlab sets, with print_tainted()'s letters. */
export const TAINT_DIE = 7;
export const TAINT_WARN = 9;

const TAINT_LETTERS: Readonly<Record<number, string>> = { [TAINT_DIE]: "D", [TAINT_WARN]: "W" };

/** The kernel's taint mask (/proc/sys/kernel/tainted). */
export class Taint {
  /** The taint bits set (TAINT_*), as /proc/sys/kernel/tainted reads. */
  mask = 0;
  /** die_counter: the oopses so far (`[#n]`). */
  oopses = 0;

  /** add_taint() */
  add(bit: number): void {
    this.mask |= 1 << bit;
  }

  /** test_taint(): whether `bit` is set. */
  has(bit: number): boolean {
    return (this.mask & (1 << bit)) !== 0;
  }

  /** print_tainted(): `Not tainted`, or `Tainted: ` and the letters set (`D W`). */
  text(): string {
    if (this.mask === 0) return "Not tainted";
    const letters = Object.keys(TAINT_LETTERS).map(Number).filter((b) => this.has(b))
      .map((b) => TAINT_LETTERS[b]);
    return `Tainted: ${letters.join(" ")}`;
  }
}

/**
 * The release the splat's CPU line names (`6.18.0`): the era preset's
 * version (an RFC preset's base), as `uname -r` would print it.
 */
export function kernelRelease(preset: string): string {
  const base = Object.hasOwn(RFC_PRESETS, preset) ? RFC_PRESETS[preset].base : preset;
  return `${/^linux-(\d+\.\d+)$/.exec(base)?.[1] ?? "6.18"}.0`;
}

/** Where a splat comes from: the current task and the code. */
export interface SplatSite {
  pid: number;
  comm: string;
  /** The kernel release (`6.18.0`, {@link kernelRelease}). */
  release: string;
  /** `include/linux/rwsem.h` */
  file: string;
  line: number;
  /** The function with its offset, as the stack unwinder prints it (`remap_pfn_range_notrack+0x625/0x650`). */
  fn: string;
  /** Callers, innermost first (`remap_pfn_range`, `vfio_pci_mmap_fault`, ...). */
  trace: readonly string[];
}

const CUT = "------------[ cut here ]------------";
const END = "---[ end trace 0000000000000000 ]---";

/**
 * kernel/panic.c __warn(): a WARNING splat; taints W after printing it (so
 * the first one's CPU line says `Not tainted`).
 */
export function warnSplat(dmesg: Dmesg, taint: Taint, s: SplatSite): void {
  dmesg.log("warn", CUT);
  dmesg.log("warn", `WARNING: CPU: 0 PID: ${s.pid} at ${s.file}:${s.line} ${s.fn}`);
  dmesg.log("warn", `CPU: 0 PID: ${s.pid} Comm: ${s.comm} ${taint.text()} ${s.release} #1`);
  dmesg.log("warn", `RIP: 0010:${s.fn}`);
  traceLines(dmesg, "warn", s.trace);
  dmesg.log("warn", END);
  taint.add(TAINT_WARN);
}

/**
 * BUG(): `kernel BUG at FILE:LINE!`, then the x86 oops (`Oops: invalid
 * opcode`, the ud2 BUG() compiles to); taints D. The caller kills the task.
 */
export function bugOops(dmesg: Dmesg, taint: Taint, s: SplatSite): void {
  dmesg.log("emerg", CUT);
  dmesg.log("emerg", `kernel BUG at ${s.file}:${s.line}!`);
  dmesg.log("emerg", `Oops: invalid opcode: 0000 [#${++taint.oopses}] PREEMPT SMP NOPTI`);
  dmesg.log("emerg", `CPU: 0 PID: ${s.pid} Comm: ${s.comm} ${taint.text()} ${s.release} #1`);
  dmesg.log("emerg", `RIP: 0010:${s.fn}`);
  traceLines(dmesg, "emerg", s.trace);
  dmesg.log("emerg", END);
  // oops_end(): the taint comes after the report (its CPU line shows the taint before).
  taint.add(TAINT_DIE);
}

function traceLines(dmesg: Dmesg, level: "warn" | "emerg", trace: readonly string[]): void {
  if (trace.length === 0) return;
  dmesg.log(level, "Call Trace:");
  dmesg.log(level, " <TASK>");
  for (const f of trace) dmesg.log(level, ` ${f}`);
  dmesg.log(level, " </TASK>");
}
