/**
 * CPU accesses by the process: `peek` (loads), `poke` and `memset`
 * (stores), `exec` (an instruction fetch). A fault prints strace's signal
 * line; an access that faulted part-way says how far it got.
 * @module
 */

import { pushAll } from "../bulk.ts";
import { ReplError } from "../errors.ts";
import { formatValue, hexdump } from "../format.ts";
import type { Command, CommandContext, ResumeFormat, Value } from "./types.ts";
import type { CallResult, CpuOp } from "../backend.ts";
import { byteCount, bytesOf } from "./args.ts";
import { type Interrupt, STEP_BYTES, TimeSlice } from "../interrupt.ts";
import { accessRecord } from "../json_result.ts";

/** The most bytes one peek shows. */
export const PEEK_MAX = 16 << 20;

const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

function num(v: Value): bigint {
  return v.type === "num" ? v.v : 0n;
}

/**
 * Makes the access; returns how far it got, or undefined when the backend
 * cannot make it (after printing why).
 */
async function access(
  ctx: CommandContext,
  op: CpuOp,
  oneByte = false,
): Promise<{ done: number; bytes?: Uint8Array; faulted: boolean } | undefined> {
  const r = await ctx.backend.access(ctx.pid, op);
  ctx.record?.(accessRecord(op, r));
  if ("unsupported" in r) {
    ctx.out.push(r.unsupported);
    return undefined;
  }
  if ("pending" in r) {
    // The thread waits for its userfault handler, as a blocked syscall
    // does: `<unfinished ...> (thread T waits in handle_userfault at ADDR)`,
    // later `[pid T] <... peek resumed> = N`.
    ctx.out.push(`<unfinished ...> ${r.note}`);
    ctx.unfinished(r.pending, resumeFormat(op, oneByte));
    return undefined;
  }
  return r;
}

/**
 * How a CPU access that waited prints its end: the byte a one-byte peek
 * loaded (= 65 (0x41)), else how many bytes it loaded or stored (= N).
 */
function resumeFormat(op: CpuOp, oneByte: boolean): ResumeFormat {
  const name = op.op === "read"
    ? "peek"
    : op.op === "write"
    ? "poke"
    : op.op === "fill"
    ? "memset"
    : "exec";
  const value = (r: CallResult): bigint => {
    if (oneByte && r.data !== undefined && r.data.length === 1) return BigInt(r.data[0]);
    return op.op === "exec" ? 0n : BigInt(r.ret);
  };
  return { name, value, line: (r) => `= ${formatValue(value(r))}` };
}

/** After a fault part-way through an access. */
function partial(ctx: CommandContext, what: string, done: number, total: number): void {
  ctx.flushEvents();
  if (done > 0) ctx.out.push(`(${what} stopped after ${done} of ${total} bytes)`);
}

const peek: Command = {
  name: "peek",
  form: "call",
  group: "memory",
  args: [
    { name: "addr", accepts: "num", kind: "addr", text: "the address to load from" },
    { name: "len", accepts: "num", optional: true, text: "how many bytes (default 1)" },
  ],
  summary: "load bytes from memory, as the process's CPU would",
  help: [
    "One byte prints as a value (= 65 (0x41)); more bytes print as hexdump -C lines",
    "with absolute addresses, identical lines folded into '*'. A fault prints the",
    "signal (and the bytes loaded before it). x = peek(a) sets x to the byte;",
    `x = peek(a, n) to the number of bytes loaded. At most ${PEEK_MAX} bytes.`,
  ].join("\n"),
  example: [MAP_LINE, 'poke(a, "hello")', "peek(a)", "peek(a, 32)"],
  needsProcess: true,
  anyBackend: true,
  async run(ctx, [addr, lenArg]) {
    const len = lenArg === undefined ? 1 : byteCount(lenArg, "len", PEEK_MAX);
    const r = await access(ctx, { op: "read", addr: num(addr), len }, lenArg === undefined);
    if (r === undefined) return undefined;
    const bytes = r.bytes ?? new Uint8Array(0);
    if (r.faulted) {
      if (len > 1 && r.done > 0) pushAll(ctx.out, hexdump(num(addr), bytes.subarray(0, r.done)));
      partial(ctx, "peek", r.done, len);
      return undefined;
    }
    if (lenArg === undefined) {
      ctx.out.push(`= ${formatValue(BigInt(bytes[0]))}`);
      return BigInt(bytes[0]);
    }
    pushAll(ctx.out, hexdump(num(addr), bytes));
    return BigInt(len);
  },
};

const poke: Command = {
  name: "poke",
  form: "call",
  group: "memory",
  args: [
    { name: "addr", accepts: "num", kind: "addr", text: "the address to store at" },
    {
      name: "byte",
      accepts: "num|str",
      variadic: true,
      text: 'bytes (0..255, or -128..-1) and "strings", stored in order',
    },
  ],
  summary: "store bytes into memory, as the process's CPU would",
  help: [
    "Stores the bytes one after another and prints how many were stored (= 3).",
    'A "string" stores its bytes without a terminating NUL; add \\0 for one.',
    "A fault stops the store: the signal prints, and how many bytes got stored.",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 0x41, 'B', \"C\\n\")", "peek(a, 4)"],
  needsProcess: true,
  anyBackend: true,
  async run(ctx, [addr, ...rest]) {
    const data = bytesOf(rest);
    if (data.length === 0) {
      throw new ReplError("poke needs bytes to store", addr.col, undefined, "usage");
    }
    const r = await access(ctx, { op: "write", addr: num(addr), bytes: data });
    if (r === undefined) return undefined;
    if (r.faulted) {
      partial(ctx, "poke", r.done, data.length);
      return undefined;
    }
    ctx.out.push(`= ${r.done}`);
    return BigInt(r.done);
  },
};

const memset: Command = {
  name: "memset",
  form: "call",
  group: "memory",
  args: [
    { name: "addr", accepts: "num", kind: "addr", text: "the first address" },
    { name: "byte", accepts: "num", text: "the value (0..255)" },
    { name: "len", accepts: "num", kind: "len", text: "how many bytes" },
  ],
  summary: "fill memory with a byte, as a CPU loop of stores would",
  help: [
    "Stores page by page and prints how many bytes were stored (= 16384).",
    "A fault stops it: the signal prints, and how many bytes got stored.",
  ].join("\n"),
  example: [MAP_LINE, "memset(a, 0xff, 16K)"],
  needsProcess: true,
  anyBackend: true,
  async run(ctx, [addr, byte, lenArg]) {
    const value = bytesOf([byte])[0];
    const len = byteCount(lenArg, "len", Number.MAX_SAFE_INTEGER);
    // A userfaultfd could block a step; the rest would then not resume with it.
    if (ctx.interrupt !== undefined && len > STEP_BYTES && (ctx.uffds?.size ?? 0) === 0) {
      return await steppedMemset(ctx, ctx.interrupt, num(addr), value, len);
    }
    const r = await access(ctx, { op: "fill", addr: num(addr), value, len });
    if (r === undefined) return undefined;
    if (r.faulted) {
      partial(ctx, "memset", r.done, len);
      return undefined;
    }
    ctx.out.push(`= ${r.done}`);
    return BigInt(r.done);
  },
};

/**
 * memset in 2 MiB steps (ending on 2 MiB boundaries), looking at the
 * Ctrl-C token between steps (and letting input in once per time slice):
 * what it prints when it runs to the end or faults is what one access prints.
 */
async function steppedMemset(
  ctx: CommandContext,
  interrupt: Interrupt,
  addr: bigint,
  value: number,
  len: number,
): Promise<bigint | undefined> {
  let done = 0;
  const slice = new TimeSlice();
  while (done < len) {
    if (done > 0) {
      await slice.pass();
      if (interrupt.requested()) {
        interrupt.honour();
        ctx.out.push(
          `(memset interrupted after ${done} of ${len} bytes; the stores before it stay)`,
        );
        return undefined;
      }
    }
    const at = addr + BigInt(done);
    const step = Math.min(len - done, STEP_BYTES - Number(at % BigInt(STEP_BYTES)));
    const r = await access(ctx, { op: "fill", addr: at, value, len: step });
    if (r === undefined) return undefined;
    done += r.done;
    if (r.faulted) {
      partial(ctx, "memset", done, len);
      return undefined;
    }
    interrupt.progress("memset", done, len);
  }
  ctx.out.push(`= ${done}`);
  return BigInt(done);
}

const exec: Command = {
  name: "exec",
  form: "call",
  group: "memory",
  args: [{ name: "addr", accepts: "num", kind: "addr", text: "the instruction address" }],
  summary: "fetch an instruction, as the CPU would on a jump to addr",
  help: [
    "Prints = 0 when the fetch succeeds, the signal when it faults (a mapping",
    "without PROT_EXEC gives SEGV_ACCERR with si_addr = addr).",
  ].join("\n"),
  example: [
    "a = mmap(NULL, 4K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "exec(a)",
  ],
  needsProcess: true,
  anyBackend: true,
  async run(ctx, [addr]) {
    const r = await access(ctx, { op: "exec", addr: num(addr) });
    if (r === undefined) return undefined;
    if (r.faulted) {
      ctx.flushEvents();
      return undefined;
    }
    ctx.out.push("= 0");
    return 0n;
  },
};

/** The memory access commands. */
export const MEMORY_COMMANDS: readonly Command[] = [peek, poke, memset, exec];
