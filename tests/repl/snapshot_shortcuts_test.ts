import assert from "node:assert/strict";
import fc from "fast-check";
import { Session } from "../../repl/session.ts";
import { diffViews, machineViews } from "../../repl/machine_views.ts";
import { fuzzCase } from "../../repl/host/fuzz.ts";
import { InterruptToken } from "../../repl/interrupt.ts";

/** Everything a user can see of a session: every view, the prompt, the variables. */
function state(s: Session): Map<string, string[]> {
  const v = machineViews(s.machine);
  v.set("prompt", [s.prompt()]);
  v.set("vars", [...s.vars].map(([k, x]) => `${k}=${x}`));
  v.set("unfinished", [`${s.unfinishedCalls}`]);
  return v;
}

function assertSame(a: Session, b: Session | Map<string, string[]>, what: string): void {
  const d = diffViews(state(a), b instanceof Session ? state(b) : b);
  assert.deepEqual(d, [], `${what}:\n${d.join("\n")}`);
}

async function ok(s: Session, line: string): Promise<string[]> {
  const r = await s.run(line);
  assert.equal(r.error, undefined, `${line}: ${r.output.join("\n")}`);
  return r.output;
}

/** A fuzz case's lines (views among them, which the log leaves out). */
function caseLines(seed: number, length: number): string[] {
  return fuzzCase(seed, 0, length).split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
}

async function freshTo(lines: string[]): Promise<Session> {
  const s = new Session();
  for (const l of lines) await s.run(l);
  return s;
}

/**
 * Snapshots a (step k1) and b (step k2 >= k1); back to a by a full replay,
 * forward to b (only the lines after a run, on a copy), b again (nothing to
 * replay), undo to a and forward to b again: each time the same as a fresh
 * run, and the session goes on alike.
 */
async function checkShortcuts(seed: number, k1: number, k2: number): Promise<void> {
  const lines = caseLines(seed, 24);
  const [i, j] = [Math.min(k1, k2, lines.length), Math.min(Math.max(k1, k2), lines.length)];
  const s = new Session();
  for (const l of lines.slice(0, i)) await s.run(l);
  await ok(s, "snapshot a");
  for (const l of lines.slice(i, j)) await s.run(l);
  await ok(s, "snapshot b");
  for (const l of lines.slice(j)) await s.run(l);
  const atA = await freshTo(lines.slice(0, i));
  const atB = await freshTo(lines.slice(0, j));
  await ok(s, "restore a");
  assertSame(s, atA, `seed ${seed}: back to a (${i})`);
  await ok(s, "restore b");
  assertSame(s, atB, `seed ${seed}: forward to b (${j})`);
  await ok(s, "restore b");
  assertSame(s, atB, `seed ${seed}: b again`);
  const logged = s.snapshots.length;
  await ok(s, "restore a");
  const back = logged - s.snapshots.length;
  await ok(s, "restore b");
  if (back > 0) await ok(s, `undo ${back}`);
  assertSame(s, atA, `seed ${seed}: undo back to a`);
  await ok(s, "restore b");
  assertSame(s, atB, `seed ${seed}: forward to b after undo`);
  for (const l of lines.slice(j)) {
    assert.deepEqual((await s.run(l)).output, (await atB.run(l)).output, `seed ${seed}: ${l}`);
  }
}

Deno.test("property: restore forward and restore in place equal a fresh run", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 24 }),
      async (seed, k1, k2) => void await checkShortcuts(seed, k1, k2),
    ),
    { numRuns: 10 },
  );
});

const ANON = "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS";

for (
  const [what, line] of [
    ["memset", "memset(a, 1, 32M)"],
    ["MADV_POPULATE_WRITE", "madvise(a, 32M, MADV_POPULATE_WRITE)"],
  ]
) {
  Deno.test(`a ${what} Ctrl-C stopped replays to where it stopped`, async () => {
    const s = new Session({ config: { ramBytes: 128 << 20 } });
    let stopAt = 0;
    const token: InterruptToken = new InterruptToken(() => {
      if (token.stepsDone() === stopAt) token.request();
    });
    s.interrupt = token;
    await ok(s, `a = mmap(0, 32M, ${ANON}, -1, 0)`);
    token.clear();
    stopAt = 3;
    const r = await s.run(line);
    assert.equal(r.interrupted, true);
    token.clear();
    stopAt = 0;
    await ok(s, "snapshot x");
    const stopped = state(s);
    await ok(s, "memset(a, 2, 32M)");
    await ok(s, "restore x");
    assertSame(s, stopped, `restore after a stopped ${what}`);
    // diff between the point and now is empty; undo takes the stopped line away.
    assert.deepEqual(await ok(s, "diff x now"), ["no difference"]);
    await ok(s, "undo");
    const rss = (await ok(s, "status")).find((l) => l.startsWith("RssAnon:"));
    const before = new Session({ config: { ramBytes: 128 << 20 } });
    await ok(before, `a = mmap(0, 32M, ${ANON}, -1, 0)`);
    assert.equal(rss, (await ok(before, "status")).find((l) => l.startsWith("RssAnon:")));
  });
}
