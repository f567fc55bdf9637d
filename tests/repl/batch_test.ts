import assert from "node:assert/strict";
import { runBatch, splitLines } from "../../repl/batch.ts";
import { Session } from "../../repl/session.ts";

async function batch(text: string, source = "demo.mm") {
  const out: string[] = [];
  const r = await runBatch(splitLines(text), {
    session: new Session(),
    source,
    write: (l) => out.push(l),
  });
  return { out, ...r };
}

Deno.test("batch: a clean run echoes each command after its prompt; status 0", async () => {
  const r = await batch(
    [
      "# map a page",
      "a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      "",
      "poke(a, 'x')   # store",
      "peek(a)",
    ].join("\n") + "\n",
  );
  assert.deepEqual(r.out, [
    "# map a page",
    "[1] mm> a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
    "= 0x7f0000000000",
    "",
    "[1] mm> poke(a, 'x')   # store",
    "= 1",
    "[1] mm> peek(a)",
    "= 120 (0x78)",
  ]);
  assert.equal(r.status, 0);
});

Deno.test("batch: malformed lines print file:line:col and a hint, the run goes on, status 1", async () => {
  const r = await batch("getpid()\nmprotect(0, 4K, PROT_RAED)\nmmap(NULL\nnosuch\ngetpid()\n");
  assert.deepEqual(r.out, [
    "[1] mm> getpid()",
    "= 1",
    "[1] mm> mprotect(0, 4K, PROT_RAED)",
    "demo.mm:2:17: error: unknown name PROT_RAED; did you mean PROT_READ?",
    "[1] mm> mmap(NULL",
    "demo.mm:3:10: error: missing ')' after the arguments of mmap",
    "[1] mm> nosuch",
    "demo.mm:4:1: error: unknown name nosuch",
    "[1] mm> getpid()",
    "= 1",
  ]);
  assert.equal(r.errors, 3);
  assert.equal(r.status, 1);
});

Deno.test("batch: errno results and signals are not malformed lines", async () => {
  const r = await batch("munmap(1, 4K)\npoke(0, 1)\n");
  assert.deepEqual(r.out, [
    "[1] mm> munmap(1, 4K)",
    "= -1 EINVAL (Invalid argument)",
    "[1] mm> poke(0, 1)",
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
  ]);
  assert.equal(r.status, 0);
});

Deno.test("batch: quit stops the run; CRLF lines work", async () => {
  const r = await batch("getpid()\r\nquit\r\ngetpid()\r\n");
  assert.deepEqual(r.out, ["[1] mm> getpid()", "= 1", "[1] mm> quit"]);
  assert.equal(r.status, 0);
});

Deno.test("batch: the task runs a file and exits 1 on a malformed line", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/t.mm`;
  await Deno.writeTextFile(file, "getpid()\nfoo(\n");
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "repl/main.ts", file],
    cwd: new URL("../..", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const r = await cmd.output();
  const text = new TextDecoder().decode(r.stdout);
  assert.equal(r.code, 1, new TextDecoder().decode(r.stderr));
  assert.equal(
    text,
    `[1] mm> getpid()\n= 1\n[1] mm> foo(\n${file}:2:5: error: expected a value at the end of the line\n`,
  );
  await Deno.remove(dir, { recursive: true });
});
