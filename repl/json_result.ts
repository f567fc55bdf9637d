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
 * `results` holds what the command reported as data (a syscall's name,
 * arguments, return, errno and what it handed back; a view's data);
 * `events` the signals, exits and finished calls while the line ran;
 * `value` the value assigned or printed (a JSON number when exact, else
 * hex text: 64-bit values do not all fit a JSON number); `output` the text lines as printed. Keys in a fixed order.
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
  | { kind: string; [key: string]: unknown };

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

function valueData(v: Value): unknown {
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

/** A value as a JSON number when it is exact, else as hex text. */
function hexOrNumber(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : `0x${BigInt.asUintN(64, v).toString(16)}`;
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
