// The transcript, exactly. mprotect and fork were being written
// when this test was: it asserts their final behaviour, not -ENOSYS.
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

/** Runs lines and returns a transcript: prompt + line, then output. */
async function transcript(s: Session, lines: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of lines) {
    out.push(s.prompt() + l);
    out.push(...(await s.run(l)).output);
  }
  return out;
}

Deno.test("the issue's transcript", async () => {
  const s = new Session();
  const run = (line: string) => transcript(s, [line]);
  assert.deepEqual(
    await run(
      "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
    ),
    [
      "[1] mm> a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      "= 0x7f0000000000",
    ],
  );
  assert.deepEqual(await run("mprotect(a + 4K, 4K, PROT_READ)"), [
    "[1] mm> mprotect(a + 4K, 4K, PROT_READ)",
    "= 0",
  ]);
  assert.deepEqual(await run("mprotect(a + 1, 4K, PROT_READ)"), [
    "[1] mm> mprotect(a + 1, 4K, PROT_READ)",
    "= -1 EINVAL (Invalid argument)",
  ]);
  assert.deepEqual(await run("poke(a + 4K, 0x41)"), [
    "[1] mm> poke(a + 4K, 0x41)",
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f0000001000} ---",
  ]);
  assert.deepEqual(await run("peek(a)"), ["[1] mm> peek(a)", "= 0"]);
  const maps = await run("maps");
  assert.equal(maps[0], "[1] mm> maps");
  const i = maps.indexOf("7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ");
  assert.ok(i > 0, maps.join("\n"));
  assert.equal(maps[i + 1], "7f0000001000-7f0000002000 r--p 00000000 00:00 0 ");
  assert.equal(maps[i + 2], "7f0000002000-7f0000004000 rw-p 00000000 00:00 0 ");
  assert.deepEqual(await run("c = fork()"), ["[1] mm> c = fork()", "= 2"]);
  assert.deepEqual(await run("@2 peek(a)"), ["[1] mm> @2 peek(a)", "= 0"]);
  assert.equal(s.prompt(), "[1] mm> ");
});
