/**
 * Session commands: `check` (the machine's invariants), `vars`, `quit`.
 * @module
 */

import { pushAll } from "../bulk.ts";
import { checkInvariants } from "../../mod.ts";
import { formatValue } from "../format.ts";
import type { Command } from "./types.ts";
import { actionRecord, viewRecord } from "../json_result.ts";

const check: Command = {
  name: "check",
  form: "word",
  group: "session",
  args: [],
  summary: "check the machine's invariants: prints ok, or each violation",
  help: "Walks every process, VMA, page table and frame and checks that they agree\n" +
    "(refcounts, mapcounts, accounting). A violation means an mmlab bug.",
  example: ["check"],
  needsProcess: false,
  run(ctx) {
    // Not `merged`: Linux itself leaves mergeable neighbours after some operations.
    const bad = checkInvariants(ctx.machine, { merged: false });
    ctx.record?.(viewRecord("check", { ok: bad.length === 0, violations: bad }));
    pushAll(ctx.out, bad.length === 0 ? ["ok"] : bad);
    return undefined;
  },
};

const vars: Command = {
  name: "vars",
  form: "word",
  group: "session",
  args: [],
  summary: "list the variables and their values",
  help: "Variables are set by name = expression; they hold 64-bit values.",
  example: ["a = 16K", "vars"],
  needsProcess: false,
  anyBackend: true,
  run(ctx) {
    ctx.record?.(viewRecord("vars", [...ctx.vars].map(([name, value]) => ({ name, value }))));
    for (const [name, v] of ctx.vars) ctx.out.push(`${name} = ${formatValue(v)}`);
    return undefined;
  },
};

const quit: Command = {
  name: "quit",
  form: "word",
  group: "session",
  args: [],
  summary: "leave the REPL (Ctrl-D does too)",
  help: "In a batch file, the lines after quit are not run.",
  example: ["quit"],
  needsProcess: false,
  anyBackend: true,
  run(ctx) {
    ctx.quit();
    return undefined;
  },
};

const record: Command = {
  name: "record",
  form: "word",
  group: "session",
  args: [{ name: "FILE", accepts: "word", text: "a transcript file to write, or stop" }],
  summary: "record the session as a transcript (record FILE, record stop)",
  help: "From the next command on, each command and its output is appended to FILE\n" +
    "and flushed at once, after a header describing the machine.\n" +
    "npx -y deno@2.9.6 task replay FILE re-runs and verifies it. record stop ends the recording.",
  example: ["record stop"],
  needsProcess: false,
  run(ctx, [file]) {
    const name = file.type === "word" ? file.text : "";
    ctx.request(name === "stop" ? { recordStop: true } : { record: name });
    ctx.record?.(actionRecord("record", name === "stop" ? { stop: true } : { file: name }));
    return undefined;
  },
};

const reset: Command = {
  name: "reset",
  form: "word",
  group: "session",
  args: [],
  summary: "start again on a fresh machine (same seed, RAM, preset, policies)",
  help: "Throws away every process, mapping, file and variable and builds the machine\n" +
    "again from the flags the session started with. A recording goes on (replay resets too).",
  example: ["x = 1", "reset"],
  needsProcess: false,
  anyBackend: true,
  run(ctx) {
    const said = ctx.reset?.();
    ctx.record?.(actionRecord("reset", { done: said !== undefined }));
    ctx.out.push(said ?? "reset: not available here");
    return undefined;
  },
};

/** check, vars, record, reset, quit. */
export const SESSION_COMMANDS: readonly Command[] = [check, vars, record, reset, quit];
