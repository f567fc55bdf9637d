/**
 * `CMD --show-script`: the TypeScript that does what CMD does, through the
 * public API (mod.ts), as a module exporting `run(m)` for the machine the
 * session drives. The command itself is not run.
 *
 * ```ts
 * import { type Machine, syscallIn } from "./mod.ts";
 *
 * // mprotect(a, 4K, PROT_READ) in thread 1
 * export function run(m: Machine) {
 *   const t = m.task(1)!;
 *   const r = syscallIn(t, "mprotect", [0x7ffff7fbc000n, 0x1000n, 0x1n]);
 *   m.sched.tick(); // timers now due fire, as the REPL does after each command
 *   return r;
 * }
 * ```
 * Covered: every syscall (struct literals as the bytes they stand for),
 * peek, poke, memset and exec (a CPU access that may wait in a userfault) and
 * the views maps, smaps, ps, threads, meminfo, vmstat, status and statm.
 * @module
 */

import { SYSCALLS } from "../mod.ts";
import { rawArg } from "./machine_backend.ts";
import { ReplError } from "./errors.ts";
import type { Command, Value } from "./commands/types.ts";

const TICK = "  m.sched.tick(); // timers now due fire, as the REPL does after each command";

/** A JavaScript literal for a raw syscall argument. */
function literal(x: unknown): string {
  if (typeof x === "bigint") return x < 0n ? `${x}n` : `0x${x.toString(16)}n`;
  if (typeof x === "string") return JSON.stringify(x);
  if (x instanceof Uint8Array) return `new Uint8Array([${[...x].join(", ")}])`;
  if (x !== null && typeof x === "object" && "literal" in x) {
    const u = x as { value: bigint; literal: Uint8Array };
    return `{ value: ${literal(u.value)}, literal: ${literal(u.literal)} }`;
  }
  return JSON.stringify(x) ?? "undefined";
}

function num(v: Value | undefined, what: string): bigint {
  if (v?.type !== "num") throw new ReplError(`--show-script: ${what} must be a number`);
  return v.v;
}

/** The views a script can read: their mod.ts functions and the expression. */
const VIEWS: Record<string, { imports: string[]; expr: string }> = {
  maps: {
    imports: ["mapsEntries", "renderMapsEntry"],
    expr: "mapsEntries(p).map(renderMapsEntry)",
  },
  smaps: {
    imports: ["smapsEntries", "renderSmapsEntry"],
    expr: "smapsEntries(p).flatMap(renderSmapsEntry)",
  },
  ps: { imports: ["psRows", "renderPsRows"], expr: "renderPsRows(psRows(m))" },
  threads: { imports: ["threadRows", "renderThreadRows"], expr: "renderThreadRows(threadRows(m))" },
  meminfo: { imports: ["meminfo", "renderMeminfo"], expr: "renderMeminfo(meminfo(m))" },
  vmstat: { imports: ["renderVmstat", "vmstat"], expr: "renderVmstat(vmstat(m))" },
  status: { imports: ["renderTaskStatus", "taskStatus"], expr: "renderTaskStatus(taskStatus(p))" },
  statm: { imports: ["procStatm", "renderProcStatm"], expr: "renderProcStatm(procStatm(p))" },
};

function module(imports: string[], header: string, body: string[]): string[] {
  const names = ["type Machine", ...imports].sort((a, b) =>
    a.replace("type ", "").localeCompare(b.replace("type ", ""))
  );
  return [
    `import { ${names.join(", ")} } from "./mod.ts";`,
    "",
    `// ${header}`,
    "export function run(m: Machine) {",
    ...body,
    "}",
  ];
}

/** The script for `cmd` with evaluated `values` in thread `tid`; `line` is the command line. */
export function showScript(cmd: Command, tid: number, values: Value[], line: string): string[] {
  const header = `${line} in thread ${tid}`;
  const thread = `  const t = m.task(${tid})!;`;
  // A syscall command that is one syscall (pthread_create is three: not covered).
  const spec = cmd.group === "syscall" ? SYSCALLS.find((s) => s.name === cmd.name) : undefined;
  if (spec !== undefined) {
    const raw = values.map((v, i) => literal(rawArg(v, spec, i, values)));
    return module(["syscallIn"], header, [
      thread,
      `  const r = syscallIn(t, ${JSON.stringify(spec.name)}, [${raw.join(", ")}]);`,
      TICK,
      "  return r;",
    ]);
  }
  const access = (fn: string, step: string) =>
    module([fn, "userfaultAccess"], header, [
      thread,
      "  const p = t.group;",
      `  const { result: r } = userfaultAccess(t, ${JSON.stringify(cmd.name)}, (from) =>`,
      `    ${step});`,
      TICK,
      "  return r;",
    ]);
  const addr = () => `0x${num(values[0], "ADDR").toString(16)}n`;
  switch (cmd.name) {
    case "peek": {
      const len = values[1] === undefined ? 1n : num(values[1], "LEN");
      return access("cpuRead", `cpuRead(p, ${addr()} + BigInt(from), ${len} - from)`);
    }
    case "poke": {
      const bytes = values.slice(1).flatMap((v) =>
        v.type === "str" ? [...v.bytes] : [Number(BigInt.asUintN(8, num(v, "a byte")))]
      );
      return access(
        "cpuWrite",
        `cpuWrite(p, ${addr()} + BigInt(from), ${literal(new Uint8Array(bytes))}.subarray(from))`,
      );
    }
    case "exec":
      return access("cpuExec", `cpuExec(p, ${addr()})`);
    case "memset": {
      const byte = Number(BigInt.asUintN(8, num(values[1], "BYTE")));
      const len = values[2] === undefined ? 1n : num(values[2], "LEN");
      return access("cpuFill", `cpuFill(p, ${addr()} + BigInt(from), ${byte}, ${len} - from)`);
    }
  }
  const view = VIEWS[cmd.name];
  if (view !== undefined && values.length === 0) {
    const usesP = /\(p\)/.test(view.expr);
    return module(view.imports, header, [
      ...(usesP ? [thread, "  const p = t.group;"] : []),
      `  return ${view.expr};`,
    ]);
  }
  throw new ReplError(
    `--show-script does not cover ${cmd.name}${view !== undefined ? " with arguments" : ""}`,
    undefined,
    "it covers every syscall, peek, poke, memset, exec and the views without arguments",
    "usage",
  );
}
