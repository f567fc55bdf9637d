import assert from "node:assert/strict";
import { complete } from "../../repl/complete.ts";
import { Session } from "../../repl/session.ts";

const s = new Session();
await s.run("a = 16K");
await s.run("addr = 0x7f0000000000");

Deno.test("completion: command names at the start of a line", () => {
  assert.deepEqual(complete(s, "mpr"), [["mprotect("], "mpr"]);
  assert.deepEqual(complete(s, "ma"), [["madvise(", "maps"], "ma"]);
  assert.deepEqual(complete(s, "  pe"), [["peek("], "pe"]);
  assert.deepEqual(complete(s, "@1 sm"), [["smaps"], "sm"]);
  const [all] = complete(s, "");
  assert.ok(all.includes("mmap(") && all.includes("maps") && all.includes("a"));
  assert.ok(!all.includes("PROT_READ"), "no constants on an empty line");
});

Deno.test("completion: constants of the argument's family, and variables", () => {
  assert.deepEqual(complete(s, "mprotect(a, 4K, "), [[
    "PROT_EXEC",
    "PROT_GROWSDOWN",
    "PROT_GROWSUP",
    "PROT_NONE",
    "PROT_READ",
    "PROT_SEM",
    "PROT_WRITE",
    "a",
    "addr",
  ], ""]);
  assert.deepEqual(complete(s, "x = mmap(NULL, 4K, PROT_READ|PROT_W"), [["PROT_WRITE"], "PROT_W"]);
  const [flags] = complete(s, "mmap(NULL, 4K, PROT_READ, MAP_P");
  assert.deepEqual(flags, ["MAP_POPULATE", "MAP_PRIVATE"]);
  const [adv] = complete(s, "madvise(a, 4K, MADV_DONT");
  assert.deepEqual(adv, [
    "MADV_DONTDUMP",
    "MADV_DONTFORK",
    "MADV_DONTNEED",
    "MADV_DONTNEED_LOCKED",
  ]);
  assert.deepEqual(complete(s, "signal(SIGSEGV, SIG_"), [
    ["SIG_CATCH", "SIG_DFL", "SIG_IGN"],
    "SIG_",
  ]);
  assert.deepEqual(complete(s, "munmap(ad"), [["addr"], "ad"]);
  // Outside a family the other names are offered.
  assert.deepEqual(complete(s, "munmap(a, PROT_RE"), [["PROT_READ"], "PROT_RE"]);
  // No completion inside a number.
  assert.deepEqual(complete(s, "munmap(a, 16K"), [[], "K"]);
});

Deno.test("completion: word arguments from the command's completer", () => {
  assert.deepEqual(complete(s, "policy fork.p"), [["fork.pinnedPages"], "fork.p"]);
  assert.deepEqual(complete(s, "policy fork.pinnedPages "), [["cow-steal", "early-copy"], ""]);
  assert.deepEqual(complete(s, "help mpro"), [["mprotect"], "mpro"]);
  assert.deepEqual(complete(s, "pages ad"), [["addr"], "ad"]);
  assert.deepEqual(complete(s, "ps "), [[], ""]);
});

Deno.test("completion: @ offers live pids and variables", () => {
  assert.deepEqual(complete(s, "@"), [["@1", "@a", "@addr"], "@"]);
});

Deno.test("completion: policy-only names only under their policy", async () => {
  const t = new Session();
  assert.deepEqual(complete(t, "madvise(0, 4K, MADV_USER"), [[], "MADV_USER"]);
  // Under the 2014 RFC's uffd.madv18 the names appear.
  assert.ok(!(await t.run("policy uffd.madv18 userfault-rfc")).error);
  assert.deepEqual(complete(t, "madvise(0, 4K, MADV_USER"), [["MADV_USERFAULT"], "MADV_USER"]);
  assert.deepEqual(complete(t, "policy uffd"), [[
    "uffd.madv18",
    "uffd.remap",
    "uffd.rfcDesign",
  ], "uffd"]);
  // PROT_USERFAULT only under option 1 of the RFC thread (uffd.rfcDesign).
  assert.deepEqual(complete(t, "mprotect(0, 4K, PROT_U"), [[], "PROT_U"]);
  assert.ok(!(await t.run("policy uffd.rfcDesign mprotect+userfaultfd")).error);
  assert.deepEqual(complete(t, "mprotect(0, 4K, PROT_U"), [["PROT_USERFAULT"], "PROT_U"]);
});
