/**
 * `--json` on every command: each command's declared example, run with
 * `--json` on the command's own lines, reports at least one structured
 * record of its kind (repl/json_result.ts) besides its text. A command
 * added without data fails here unless it joins the exemption list.
 */
import assert from "node:assert/strict";
import { COMMANDS } from "../../repl/commands/index.ts";
import type { Command, CommandGroup } from "../../repl/commands/types.ts";
import { jsonSafe } from "../../repl/json_result.ts";
import { Session } from "../../repl/session.ts";

/** Commands with no data to report, and why. */
const EXEMPT: ReadonlyMap<string, string> = new Map([
  // Ends the session: nothing happened that a tool could read.
  ["quit", "ends the session"],
]);

/** The record kinds a command of each help group reports. */
const KINDS: Record<CommandGroup, readonly string[]> = {
  // A syscall; pthread_create reports its syscalls and its own call.
  syscall: ["syscall", "call"],
  library: ["call"],
  // CPU accesses, kernel functions run as a driver would, explain's data.
  memory: ["access", "call", "view"],
  view: ["view"],
  device: ["view", "action", "call"],
  session: ["view", "action"],
};

/** A CPU access's record names its op, not the command. */
const ACCESS_OP: Record<string, string> = {
  peek: "read",
  poke: "write",
  memset: "fill",
  exec: "exec",
};

/** Whether `line` runs `name` (after @TARGET and VAR =). */
function runs(line: string, name: string): boolean {
  return new RegExp(`^(@\\S+\\s+)?(\\w+\\s*=\\s*)?${name.replace("-", "\\-")}(?![\\w-])`).test(
    line,
  );
}

/** A record, read loosely. */
type Rec = Record<string, unknown>;

function isOwn(rec: Rec, cmd: Command): boolean {
  if (typeof rec.kind !== "string") return false;
  if (!KINDS[cmd.group].includes(rec.kind)) return false;
  if (rec.kind === "access") return rec.op === ACCESS_OP[cmd.name];
  return rec.name === cmd.name;
}

const ownJson = (c: Command) => c.flags?.some((f) => f.name === "--json") ?? false;

for (const [name, cmd] of COMMANDS) {
  if (EXEMPT.has(name)) continue;
  Deno.test(`--json: ${name}'s example reports its data`, async () => {
    const s = new Session();
    const own = cmd.example.filter((l) => runs(l, name));
    assert.ok(own.length > 0, `the example runs ${name}: ${cmd.example.join(" / ")}`);
    for (const line of cmd.example) {
      if (!runs(line, name)) {
        const r = await s.run(line);
        assert.equal(r.error, undefined, `${line}\n${r.output.join("\n")}`);
        continue;
      }
      const withFlag = line.endsWith("--json") ? line : `${line} --json`;
      const r = await s.run(withFlag);
      assert.equal(r.error, undefined, `${withFlag}\n${r.output.join("\n")}`);
      const mine = ((r.data?.results ?? []) as Rec[]).filter((rec) => isOwn(rec, cmd));
      assert.ok(
        mine.length > 0,
        `${withFlag}: no ${KINDS[cmd.group].join("/")} record named ${name} in ` +
          JSON.stringify(jsonSafe(r.data?.results)),
      );
      const printed = JSON.parse(r.output.join("\n"));
      if (ownJson(cmd)) {
        // The command prints its data itself: the same data as its record.
        const view = mine.find((rec) => rec.kind === "view");
        assert.ok(view !== undefined, `${name} has --json: a view record`);
        assert.deepEqual(printed, JSON.parse(JSON.stringify(jsonSafe(view.data))));
      } else {
        // The line's JSON carries the records, keys in the order given.
        assert.deepEqual(printed.results, JSON.parse(JSON.stringify(jsonSafe(r.data!.results))));
        const first = printed.results.find((x: Rec) =>
          x.kind === mine[0].kind && (x.name ?? x.op) === (mine[0].name ?? mine[0].op)
        );
        assert.equal(Object.keys(first)[0], "kind");
      }
    }
  });
}

Deno.test("--json: the exemptions are commands that exist", () => {
  for (const name of EXEMPT.keys()) assert.ok(COMMANDS.has(name), name);
});
