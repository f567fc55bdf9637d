/** trace on|off: kernel path lines in the session's output, none when off. */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

const MAP = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

async function run(lines: string[]): Promise<string[]> {
  const s = new Session();
  const out: string[] = [];
  for (const l of lines) out.push(...(await s.run(l)).output);
  return out;
}

Deno.test("trace: a read fault names the zero-page path, before the command's output", async () => {
  const out = await run([MAP, "trace on", "peek(a)"]);
  const i = out.indexOf("= 0", 1);
  const trace = out.filter((l) => l.startsWith("trace: "));
  assert.ok(trace.length >= 4);
  assert.ok(out.indexOf(trace[0]) < i);
  assert.ok(
    trace.some((l) =>
      l.includes(
        "do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_pte_missing → " +
          "do_anonymous_page → set_pte_at: read: maps the shared zero page",
      )
    ),
    trace.join("\n"),
  );
});

Deno.test("trace: mprotect shows mprotect_fixup, vma_modify_flags and two splits", async () => {
  const out = await run([MAP, "trace on", "mprotect(a + 4K, 4K, PROT_READ)"]);
  const splits = out.filter((l) =>
    l.startsWith("trace: __do_sys_mprotect → mprotect_fixup → vma_modify_flags → __split_vma")
  );
  assert.equal(splits.length, 2);
  assert.ok(out.includes("trace: __do_sys_mprotect: returns 0"));
});

Deno.test("trace: a failed check names the errno and the signal its si_code", async () => {
  const out = await run([
    MAP,
    "mprotect(a, 4K, PROT_READ)",
    "trace on",
    "poke(a, 1)",
    "munmap(a, 16K)",
    "mprotect(a, 4K, PROT_READ)",
  ]);
  assert.ok(out.some((l) => l.includes("access_error → bad_area_access_error")));
  assert.ok(out.some((l) => l.includes("SIGSEGV SEGV_ACCERR si_addr=")));
  assert.ok(
    out.includes(
      "trace: __do_sys_mprotect → do_mprotect_pkey: no VMA intersects the range: -ENOMEM",
    ),
  );
  assert.ok(out.includes("trace: __do_sys_mprotect: returns -ENOMEM"));
});

Deno.test("trace off: no trace lines, and the output equals a session never traced", async () => {
  const body = [MAP, "poke(a, 1)", "fork()", "poke(a, 2)", "mprotect(a, 4K, PROT_READ)"];
  const plain = await run(body);
  const toggled = await run(["trace on", "trace off", ...body]);
  assert.deepEqual(toggled, plain);
  assert.ok(!plain.some((l) => l.startsWith("trace: ")));
  assert.deepEqual(await run(["trace"]), ["trace is off"]);
});

Deno.test("explain --json: the explanation as data; bad kinds are one clear error", async () => {
  const out = await run([MAP, "explain a w --json"]);
  const e = JSON.parse(out.slice(1).join("\n"));
  assert.equal(e.access, "write");
  assert.equal(e.outcome, "new-page");
  assert.equal(e.vma.perms, "rw-p");
  assert.deepEqual(Object.keys(e), [
    "addr",
    "access",
    "vma",
    "pte",
    "frame",
    "userfault",
    "policies",
    "outcome",
    "path",
    "signal",
    "driver",
    "wait",
    "maps",
  ]);
  const bad = await run([MAP, "explain a q"]);
  assert.equal(bad.length, 2);
  assert.match(bad[1], /explain takes r, w or x, not q/);
});

Deno.test("explain: an address past 2^53 is one clear error naming it, not `0x-1`", async () => {
  const out = await run(["explain -4096 w", "explain 0x7ffffffff000"]);
  assert.equal(out.length, 1 + 5, out.join("\n"));
  assert.match(out[0], /explain takes an address below 2\^53, not 0xfffffffffffff000/);
  assert.equal(out[1], "read at 0x7ffffffff000:");
  assert.ok(!out.some((l) => l.includes("0x-")), out.join("\n"));
});
