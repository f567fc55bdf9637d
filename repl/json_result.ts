/**
 * A command line's result as JSON: what `CMD --json` prints for a command
 * without its own `--json`, and each line of the JSON-lines batch mode.
 *
 * ```
 * { "line": "mmap(NULL, 4K, ...)", "prompt": "1",
 *   "results": [{ "kind": "syscall", "name": "mmap", "args": [...], "ret": 140737353859072,
 *                 "errno": null, "out": null }],
 *   "events": [{ "kind": "signal", "pid": 1, "signo": 11, "signal": "SIGSEGV", ... }],
 *   "value": 140737353859072, "output": ["= 0x7ffff7fbc000"], "error": null }
 * ```
 * `results` holds what the command reported as data, one record per
 * thing it did, each with a `kind` first:
 *
 * - `syscall` {name, args, ret, errno, out}: a system call (also each of
 *   the calls pthread_create makes).
 * - `access` {op, addr, len, done, bytes, faulted, waits}: a CPU access
 *   (peek, poke, memset, exec).
 * - `call` {name, args, ret, errno, out}: a kernel or library function run
 *   as a driver or program would (pin_user_pages, hmm_range_fault,
 *   mmu_interval_notifier_*, dma_write, mr_access, ibv_*, pthread_create);
 *   `ret` is the C return as printed, `errno` its name when it failed, `out`
 *   what it handed back (pages and pfns pinned, HMM slots, a verb's handle).
 * - `view` {name, data}: the data a view's text is rendered from (maps,
 *   dmesg, iomem, notifiers, policy, sysctl, check, vars, help, ...); a
 *   view's own `--json` prints the same data.
 * - `action` {name, ...}: what a device or session command changed
 *   (device-bind, inject-fault, dma, iommu map, policy NAME VALUE, sysctl
 *   NAME=VALUE, sleep, wait, trace on, record, reset, snapshot, restore, undo).
 *
 * `events` the signals, exits and finished calls while the line ran;
 * `value` the value assigned or printed (a JSON number when exact, else
 * hex text: 64-bit values do not all fit a JSON number); `output` the text
 * lines as printed. Keys in a fixed order; bigints as numbers when exact,
 * else hex text ({@link jsonSafe}).
 * @module
 */

import { errnoName, isErr, siCodeName, signalName, type TraceStep } from "../mod.ts";
import type { CallResult, CpuOp, CpuResult, SessionEvent } from "./backend.ts";
import type { Value } from "./commands/types.ts";
import type { ReplError } from "./errors.ts";

/** What a command reports as data while it runs ({@link CommandContext.record}). */
export type CommandRecord =
  | {
    kind: "syscall";
    name: string;
    args: unknown[];
    ret: number;
    errno: string | null;
    out: unknown;
  }
  | { kind: "view"; name: string; data: unknown }
  | {
    kind: "call";
    name: string;
    args: unknown[];
    ret: number | string | null;
    errno: string | null;
    out: unknown;
  }
  | { kind: "action"; name: string; [key: string]: unknown }
  | { kind: string; [key: string]: unknown };

/** A view's record: the data its text is rendered from. */
export function viewRecord(name: string, data: unknown): CommandRecord {
  return { kind: "view", name, data };
}

/**
 * A kernel or library function's record: its arguments, its C return
 * (bigints as numbers when exact, else hex text; null while it waits),
 * errno's name when it failed (`errno` a positive number, or null), and
 * what it handed back.
 */
export function callRecord(
  name: string,
  args: readonly unknown[],
  ret: number | bigint | null,
  errno: number | null,
  out: unknown = null,
): CommandRecord {
  return {
    kind: "call",
    name,
    args: args.map(jsonSafe),
    ret: typeof ret === "bigint" ? hexOrNumber(ret) : ret,
    errno: errno === null || errno === 0 ? null : errnoName(errno),
    out: jsonSafe(out),
  };
}

/** A device or session command's record: what it changed, fields in the order given. */
export function actionRecord(name: string, fields: Record<string, unknown> = {}): CommandRecord {
  return { kind: "action", name, ...(jsonSafe(fields) as Record<string, unknown>) };
}

/** What a line did, as data, beside its text. */
export interface LineData {
  results: CommandRecord[];
  events: SessionEvent[];
  value?: bigint;
  /** `trace on`: the kernel path steps of the line, as data (lib/trace/kernel_trace.ts). */
  trace?: TraceStep[];
}

/** A syscall's record: its arguments as data, its return, errno and data handed back. */
export function syscallRecord(
  name: string,
  values: readonly Value[],
  r: CallResult,
): CommandRecord {
  return {
    kind: "syscall",
    name,
    args: values.map(valueData),
    ret: r.ret,
    errno: isErr(r.ret) ? errnoName(-r.ret) : null,
    out: r.data !== undefined && !isErr(r.ret) ? [...r.data] : (r.note ?? null),
  };
}

/**
 * A CPU access's record: `peek` (read), `poke` (write), `memset` (fill),
 * `exec`; the address, the bytes asked and done, the bytes loaded, whether
 * it faulted or waits in a userfault.
 */
export function accessRecord(op: CpuOp, r: CpuResult): CommandRecord {
  const len = op.op === "read" || op.op === "fill"
    ? op.len
    : op.op === "write"
    ? op.bytes.length
    : 0;
  const base = { kind: "access", op: op.op, addr: hexOrNumber(op.addr), len };
  if ("unsupported" in r) return { ...base, unsupported: r.unsupported };
  return {
    ...base,
    done: r.done,
    bytes: r.bytes === undefined ? null : [...r.bytes],
    faulted: "faulted" in r ? r.faulted : false,
    waits: "pending" in r,
  };
}

/** An evaluated argument as data: a number (hex text past 2^53), a string's text, a word, a struct. */
export function valueData(v: Value): unknown {
  switch (v.type) {
    case "num":
    case "intref":
      return hexOrNumber(v.v);
    case "str":
      return new TextDecoder().decode(v.bytes);
    case "word":
      return v.text;
    case "struct":
      return jsonSafe(v.value);
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER), MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A value as a JSON number when it is exact, else as hex text. */
function hexOrNumber(v: bigint): number | string {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : `0x${BigInt.asUintN(64, v).toString(16)}`;
}

/** Data with bigints as numbers or hex text and byte arrays as number arrays. */
export function jsonSafe(x: unknown): unknown {
  if (typeof x === "bigint") return hexOrNumber(x);
  if (x instanceof Uint8Array) return [...x];
  if (Array.isArray(x)) return x.map(jsonSafe);
  if (x instanceof Map) return Object.fromEntries([...x].map(([k, v]) => [k, jsonSafe(v)]));
  if (x !== null && typeof x === "object") {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return x;
}

function eventData(e: SessionEvent): Record<string, unknown> {
  switch (e.kind) {
    case "signal":
      return {
        kind: "signal",
        pid: e.pid,
        signo: e.info.signo,
        signal: signalName(e.info.signo),
        code: siCodeName(e.info.signo, e.info.code),
        addr: e.info.addr,
      };
    case "exit":
      return { kind: "exit", pid: e.pid, status: jsonSafe(e.status) };
    case "resume":
      return {
        kind: "resume",
        pid: e.pid,
        ret: e.gone ? null : e.result.ret,
        errno: !e.gone && isErr(e.result.ret) ? errnoName(-e.result.ret) : null,
      };
  }
}

/** One line's result as a JSON object (keys in a fixed order). */
export function lineJson(
  line: string,
  prompt: string,
  output: readonly string[],
  data: LineData | undefined,
  error: ReplError | undefined,
): Record<string, unknown> {
  return {
    line,
    prompt,
    results: (data?.results ?? []).map(jsonSafe),
    events: (data?.events ?? []).map(eventData),
    value: data?.value === undefined ? null : hexOrNumber(data.value),
    output: [...output],
    error: error === undefined ? null : {
      message: error.message,
      hint: error.hint ?? null,
      kind: error.kind,
      col: error.col ?? null,
    },
    // Only while `trace on` holds: each step {fn, path, decision, vma?, policy?, errno?, pfn?}.
    ...(data?.trace === undefined ? {} : { trace: data.trace }),
  };
}
