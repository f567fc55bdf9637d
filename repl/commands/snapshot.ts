/**
 * `snapshot NAME`, `restore NAME`, `undo [N]`, `diff A B`: named points in
 * the session's history, going back to them, and what changed between two.
 * Snapshots are prefixes of the command log, restored by replay on a fresh
 * machine (repl/snapshot.ts says why and what it costs).
 * @module
 */

import { pushAll } from "../bulk.ts";
import { ReplError } from "../errors.ts";
import { diffViews, machineViews } from "../machine_views.ts";
import { SnapshotError, type SnapshotLog } from "../snapshot.ts";
import type { Session } from "../session.ts";
import { actionRecord, viewRecord } from "../json_result.ts";
import type { Command, CommandContext, Value } from "./types.ts";

const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

/** The log, or a clear error when the session has none. */
function log(ctx: CommandContext, col: number | undefined): SnapshotLog<Session> {
  if (ctx.snapshots === undefined) {
    throw new ReplError("this session keeps no command log", col, undefined, "usage");
  }
  ctx.snapshots.notLogged();
  return ctx.snapshots;
}

function word(v: Value | undefined): string | undefined {
  return v?.type === "word" ? v.text : undefined;
}

/** Runs `f`, turning a SnapshotError into one REPL error line at `col`. */
async function guarded<T>(
  col: number | undefined,
  hint: string | undefined,
  f: () => Promise<T>,
): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof SnapshotError) throw new ReplError(e.message, col, hint, "usage");
    throw e;
  }
}

const plural = (n: number) => `${n} command${n === 1 ? "" : "s"}`;

const snapshot: Command = {
  name: "snapshot",
  form: "word",
  group: "session",
  args: [{
    name: "NAME",
    accepts: "word",
    optional: true,
    text: "the snapshot's name (none: list the snapshots)",
  }],
  summary: "name the machine's state now (restore NAME returns to it; no NAME: list them)",
  help: "A snapshot is the commands run so far: restore replays them on a fresh machine,\n" +
    "so every view (maps, pages, ps, threads, dmesg, lspci, vmstat, check) is as it was,\n" +
    "with threads still asleep, pending calls, userfaultfds, devices and pins. Taking one\n" +
    "costs a few bytes; restoring costs a replay of the commands before it.\n" +
    "snapshot with no NAME lists the snapshots and the commands before each.",
  example: [MAP_LINE, "snapshot before", "snapshot"],
  needsProcess: false,
  async run(ctx, [name]) {
    const l = log(ctx, name?.col);
    const n = word(name);
    if (n === undefined) {
      const all = l.list();
      ctx.record?.(viewRecord("snapshot", all.map((s) => ({ name: s.name, commands: s.length }))));
      if (all.length === 0) ctx.out.push("no snapshots (snapshot NAME takes one)");
      for (const s of all) ctx.out.push(`${s.name}: after ${plural(s.length)}`);
      return undefined;
    }
    if (n === "now") {
      throw new ReplError("now names the current state", name!.col, "pick another name", "usage");
    }
    const k = await guarded(name!.col, undefined, () => Promise.resolve(l.save(n)));
    ctx.record?.(actionRecord("snapshot", { snapshot: n, commands: k }));
    ctx.out.push(`snapshot ${n}: after ${plural(k)}`);
    return undefined;
  },
};

const restore: Command = {
  name: "restore",
  form: "word",
  group: "session",
  args: [{ name: "NAME", accepts: "word", text: "a snapshot's name" }],
  summary: "go back to a snapshot: the machine and the session as they were",
  help: "Replays the snapshot's commands on a fresh machine with the same settings and\n" +
    "continues from there: processes, threads, variables and the current thread are\n" +
    "those of the snapshot. Snapshots taken later are kept. Going forward again (after\n" +
    "undo or an earlier restore) replays only the commands after the session's.",
  example: [MAP_LINE, "snapshot s", "munmap(a, 16K)", "restore s", "maps"],
  needsProcess: false,
  async run(ctx, [name]) {
    const l = log(ctx, name.col);
    const n = await guarded(name.col, "snapshot lists them", () => l.restore(word(name)!));
    ctx.record?.(actionRecord("restore", { snapshot: word(name), commands: n }));
    ctx.out.push(`restored ${word(name)}: after ${plural(n)}`);
    return undefined;
  },
};

const undo: Command = {
  name: "undo",
  form: "word",
  group: "session",
  args: [{ name: "N", accepts: "num", optional: true, text: "commands to undo (default 1)" }],
  summary: "undo the last N commands (default 1) by replaying the ones before",
  help: "Every command is a point undo can return to: the machine is rebuilt from the\n" +
    "commands before the last N (snapshot, restore, undo and diff do not count).",
  example: [MAP_LINE, "munmap(a, 16K)", "undo", "maps"],
  needsProcess: false,
  async run(ctx, [count]) {
    const l = log(ctx, count?.col);
    const n = count?.type === "num" ? count.v : 1n;
    await guarded(count?.col, undefined, () => Promise.resolve(l.requireReplay()));
    if (n < 0n || n > BigInt(l.length)) {
      throw new ReplError(
        `cannot undo ${n === 1n ? "1 command" : `${n} commands`}: ${
          plural(l.length)
        } ran since the start`,
        count?.col,
        `undo takes 0 to ${l.length}`,
        "usage",
      );
    }
    const left = await guarded(count?.col, undefined, () => l.undo(Number(n)));
    ctx.record?.(actionRecord("undo", { undone: Number(n), commands: left }));
    ctx.out.push(`undid ${plural(Number(n))}: now after ${plural(left)}`);
    return undefined;
  },
};

const diff: Command = {
  name: "diff",
  form: "word",
  group: "session",
  args: [
    { name: "A", accepts: "word", text: "a snapshot's name" },
    { name: "B", accepts: "word", optional: true, text: "another, or now (the default)" },
  ],
  summary: "what changed from snapshot A to B (or now): VMAs, PTEs, frames, devices",
  help: "Compares every view of the two states: for each view that changed, a --- VIEW\n" +
    "line, then - for lines only in A and + for lines only in B: maps and smaps\n" +
    "(VMAs), pages (PTEs, frames, refcounts, mapcounts), frames (the RAM map), ps,\n" +
    "threads, vmstat, lspci, dmesg, iomem. Neither state is disturbed.",
  example: [MAP_LINE, "snapshot s", "poke(a, 1)", "diff s"],
  needsProcess: false,
  async run(ctx, [a, b]) {
    const l = log(ctx, a.col);
    const at = (v: Value) =>
      guarded(v.col, "snapshot lists them", async () => (await l.at(word(v)!)).machine);
    const ma = await at(a);
    const mb = b === undefined || word(b) === "now" ? ctx.machine : await at(b);
    const lines = diffViews(machineViews(ma), machineViews(mb));
    ctx.record?.(
      viewRecord("diff", { from: word(a), to: b === undefined ? "now" : word(b), lines }),
    );
    if (lines.length === 0) ctx.out.push("no difference");
    pushAll(ctx.out, lines);
    return undefined;
  },
};

/** snapshot, restore, undo, diff. */
export const SNAPSHOT_COMMANDS: readonly Command[] = [snapshot, restore, undo, diff];
