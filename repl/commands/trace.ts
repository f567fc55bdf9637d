/**
 * `trace on|off|json` and `explain ADDR [r|w|x]`: the tools that say why.
 * While tracing is on, the session prints the kernel path of every fault
 * and syscall a command makes, each line prefixed `trace: ` before the
 * command's own output (repl/session.ts); transcripts record and replay
 * them like any output. `explain` dry-runs an access (lib/trace/explain.ts).
 * @module
 */

import { pushAll } from "../bulk.ts";
import { explainAccess, KernelTrace, renderExplanation } from "../../mod.ts";
import { ReplError } from "../errors.ts";
import type { Command, FlagDecl, Value } from "./types.ts";
import { actionRecord, viewRecord } from "../json_result.ts";

const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

const JSON_FLAG: FlagDecl = {
  name: "--json",
  text: "print the explanation as JSON data (keys in a fixed order)",
};

const trace: Command = {
  name: "trace",
  form: "word",
  group: "session",
  args: [{
    name: "on|off|json",
    accepts: "word",
    optional: true,
    text: "start or stop tracing, or trace with JSON records (no argument: say which)",
    complete: () => ["on", "off", "json"],
  }],
  summary: "print the kernel path of every fault and syscall (trace on|off|json)",
  help: "While on, each command's faults and syscalls print the modelled kernel functions\n" +
    "they went through and the decision at each branch, one `trace:` line per step\n" +
    "(do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_anonymous_page ...),\n" +
    "before the command's own output. Off costs nothing. `trace json` prints each\n" +
    "step as a JSON record instead ({fn, path, decision, vma, policy, errno, pfn}: the\n" +
    "keys a step has); `CMD --json` and --jsonl results carry the steps under `trace`.",
  example: [MAP_LINE, "trace on", "poke(a, 1)", "mprotect(a + 4K, 4K, PROT_READ)"],
  needsProcess: false,
  run(ctx, values) {
    const m = ctx.machine;
    const [arg] = values;
    const w = arg?.type === "word" ? arg.text : undefined;
    if (w === undefined) {
      const how = m.trace === null ? "off" : m.trace.json ? "json" : "on";
      ctx.out.push(`trace is ${how}`);
    } else if (w === "on" || w === "json") {
      m.trace ??= new KernelTrace();
      m.trace.json = w === "json";
    } else if (w === "off") m.trace = null;
    else {
      throw new ReplError(`trace takes on, off or json, not ${w}`, arg.col, "trace on", "usage");
    }
    ctx.record?.(actionRecord("trace", { on: m.trace !== null, json: m.trace?.json ?? false }));
    return undefined;
  },
};

const KINDS: Record<string, "read" | "write" | "exec"> = {
  r: "read",
  w: "write",
  x: "exec",
  read: "read",
  write: "write",
  exec: "exec",
};

const explain: Command = {
  name: "explain",
  form: "word",
  group: "memory",
  args: [
    { name: "ADDR", accepts: "num", kind: "addr", text: "the user address" },
    {
      name: "r|w|x",
      accepts: "word",
      optional: true,
      text: "read (default), write or exec",
      complete: () => ["r", "w", "x"],
    },
  ],
  flags: [JSON_FLAG],
  summary: "what an access would do and why, without doing it",
  help: "Shows the VMA (range, perms, VmFlags, file), the PTE (present, write, dirty,\n" +
    "special, uffd-wp, marker), the frame (kind, refcount, mapcount, pins), the\n" +
    "userfaultfd registration (and the threads already waiting on it), the policy\n" +
    "knobs consulted, the kernel path the fault would take and its outcome (hit,\n" +
    "zero-page, new-page, cow-copy, cow-reuse, wp-shared, file-fault, driver-fault,\n" +
    "userfault, segv, sigbus). A device or DAX mapping asks the driver's own fault\n" +
    "decision (vfio_pci_mmap_huge_fault, rdma_umap_fault, dax_iomap_pte_fault, ...):\n" +
    "the `driver:` line says what it would map or refuse, `mmio:` who decodes a\n" +
    "device page and whether it answers (hw.mmioUnclaimed). Nothing changes.",
  example: [MAP_LINE, "poke(a, 1)", "fork()", "explain a w"],
  needsProcess: true,
  run(ctx, values: Value[]) {
    const json = values.some((v) => v.type === "word" && v.text === JSON_FLAG.name);
    const args = values.filter((v) => !(v.type === "word" && v.text === JSON_FLAG.name));
    const [addrV, kindV] = args;
    if (addrV?.type !== "num") {
      throw new ReplError("explain needs an address", undefined, "explain a w", "usage");
    }
    const word = kindV?.type === "word" ? kindV.text : "r";
    const kind = KINDS[word];
    if (kind === undefined) {
      throw new ReplError(
        `explain takes r, w or x, not ${word}`,
        kindV?.col,
        "explain a w",
        "usage",
      );
    }
    if (addrV.v < 0n || addrV.v >= 1n << 53n) {
      // explainAccess takes a JS number: past 2^53 it could not name the address.
      const shown = "0x" + BigInt.asUintN(64, addrV.v).toString(16);
      throw new ReplError(
        `explain takes an address below 2^53, not ${shown}`,
        addrV.col,
        "user space ends at 0x7ffffffff000; peek/poke show what an access there does",
        "usage",
      );
    }
    const addr = Number(addrV.v);
    const e = explainAccess(ctx.proc, addr, kind);
    ctx.record?.(viewRecord("explain", e));
    if (json) pushAll(ctx.out, JSON.stringify(e, null, 2).split("\n"));
    else pushAll(ctx.out, renderExplanation(e));
    return undefined;
  },
};

/** trace, explain. */
export const TRACE_COMMANDS: readonly Command[] = [trace, explain];
