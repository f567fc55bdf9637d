/**
 * `sysctl`: read or set the machine's /proc/sys/vm knobs, as procps'
 * sysctl(8) does: `sysctl vm.overcommit_memory=2` prints
 * `vm.overcommit_memory = 2`. The emulated machine only.
 * @module
 */

import { ReplError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import type { Command, CommandContext } from "./types.ts";
import { actionRecord, viewRecord } from "../json_result.ts";

/** A sysctl: its name, where it lives on the machine, and the values it takes. */
interface Entry {
  key:
    | "overcommitMemory"
    | "overcommitRatio"
    | "maxMapCount"
    | "mmapMinAddr"
    | "leaseBreakTime"
    | "memoryFailureEarlyKill";
  /** The values the kernel's proc handler accepts (proc_dointvec_minmax bounds). */
  min: number;
  max: number;
}

const ENTRIES: ReadonlyMap<string, Entry> = new Map([
  ["vm.overcommit_memory", { key: "overcommitMemory", min: 0, max: 2 }],
  ["vm.overcommit_ratio", { key: "overcommitRatio", min: 0, max: 2 ** 31 - 1 }],
  ["vm.max_map_count", { key: "maxMapCount", min: 0, max: 2 ** 31 - 1 }],
  ["vm.mmap_min_addr", { key: "mmapMinAddr", min: 0, max: 2 ** 47 }],
  ["vm.memory_failure_early_kill", { key: "memoryFailureEarlyKill", min: 0, max: 1 }],
  // fs/locks.c: /proc/sys/fs/lease-break-time, seconds.
  ["fs.lease-break-time", { key: "leaseBreakTime", min: 0, max: 2 ** 31 - 1 }],
]);

/** Read-only: /proc/sys/kernel/tainted, the taint mask (W = 512, D = 128; lib/panic.ts). */
const TAINTED = "kernel.tainted";

function valueOf(ctx: CommandContext, name: string): number {
  if (name === TAINTED) return ctx.machine.taint.mask;
  return ctx.machine.sysctl[ENTRIES.get(name)!.key];
}

function line(ctx: CommandContext, name: string): string {
  return `${name} = ${valueOf(ctx, name)}`;
}

/** The sysctls named, as data: name and value, in the order printed. */
function record(ctx: CommandContext, names: readonly string[]): void {
  ctx.record?.(viewRecord("sysctl", names.map((name) => ({ name, value: valueOf(ctx, name) }))));
}

/** The `sysctl` command. */
export const SYSCTL_COMMAND: Command = {
  name: "sysctl",
  form: "word",
  group: "session",
  args: [{
    name: "NAME[=VALUE]",
    accepts: "word",
    optional: true,
    text: "a vm.* sysctl, with =VALUE to set it",
    complete: () => [...ENTRIES.keys(), TAINTED],
  }],
  summary: "show or set the vm sysctls (overcommit_memory, overcommit_ratio, ...), kernel.tainted",
  help: [
    "Without an argument, lists the vm sysctls the machine models; NAME shows one;",
    "NAME=VALUE sets it (as writing /proc/sys/vm/... would) and prints it, as",
    "sysctl(8) does. vm.overcommit_memory: 0 heuristic, 1 always, 2 strict",
    "(CommitLimit = RAM * vm.overcommit_ratio / 100, no swap). kernel.tainted (read",
    "only) is the taint mask: 512 (W) after a WARNING, 128 (D) after an oops.",
  ].join("\n"),
  example: ["sysctl vm.overcommit_memory=2", "sysctl vm.overcommit_ratio"],
  needsProcess: false,
  run(ctx, [arg]) {
    if (arg === undefined || arg.type !== "word") {
      const all = [TAINTED, ...ENTRIES.keys()];
      record(ctx, all);
      for (const name of all) ctx.out.push(line(ctx, name));
      return undefined;
    }
    const [name, value] = arg.text.split("=", 2);
    if (name === TAINTED) {
      if (value !== undefined) {
        // Writing it only adds taint; mmlab keeps it read-only.
        throw new ReplError(`sysctl: ${TAINTED} is read-only here`, arg.col, undefined, "usage");
      }
      record(ctx, [name]);
      ctx.out.push(line(ctx, name));
      return undefined;
    }
    const e = ENTRIES.get(name);
    if (e === undefined) {
      throw new ReplError(
        `sysctl: cannot stat /proc/sys/${name.replaceAll(".", "/")}: No such file or directory`,
        arg.col,
        didYouMean(name, [...ENTRIES.keys(), TAINTED]) ?? "sysctl lists the ones modelled",
        "name",
      );
    }
    if (value !== undefined) {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      // proc_dointvec_minmax(): out of range is EINVAL.
      if (!(n >= e.min && n <= e.max)) {
        throw new ReplError(
          `sysctl: setting key "${name}": Invalid argument`,
          arg.col + name.length + 1,
          `a number from ${e.min} to ${e.max}`,
          "usage",
        );
      }
      const was = valueOf(ctx, name);
      (ctx.machine.sysctl as unknown as Record<string, number>)[e.key] = n;
      ctx.record?.(actionRecord("sysctl", { key: name, value: n, was }));
    } else record(ctx, [name]);
    ctx.out.push(line(ctx, name));
    return undefined;
  },
};
