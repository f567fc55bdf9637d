import assert from "node:assert/strict";
import fc from "fast-check";
import { Session } from "../../repl/session.ts";

const TOKENS = [
  "a",
  "b",
  "=",
  "(",
  ")",
  ",",
  "@",
  "@1",
  "@2",
  "+",
  "-",
  "*",
  "/",
  "%",
  "|",
  "&",
  "^",
  "~",
  "<<",
  ">>",
  "0",
  "1",
  "-1",
  "16K",
  "0x7f0000000000",
  "0644",
  "08",
  "4KB",
  "'A'",
  "'",
  '"x"',
  '"',
  "\\",
  "#",
  "$",
  "PROT_READ",
  "PROT_RAED",
  "MAP_PRIVATE",
  "NULL",
  "mmap",
  "munmap",
  "mprotect",
  "peek",
  "poke",
  "memset",
  "exec",
  "fork",
  "exit",
  "maps",
  "pages",
  "policy",
  "help",
  "vars",
  "check",
  "fork.pinnedPages",
  "cow-steal",
  " ",
  "\t",
  "é",
];

Deno.test("fuzz: no line makes run() throw; every error is one line", async () => {
  const s = new Session();
  await s.run(
    "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => t.join("")),
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => t.join(" ")),
        fc.string({ maxLength: 30 }),
      ),
      async (line) => {
        const r = await s.run(line);
        assert.ok(Array.isArray(r.output));
        if (r.error) {
          assert.notEqual(r.error.kind, "internal", `${line}: ${r.output.join("\n")}`);
          assert.equal(r.output.filter((l) => /error/.test(l)).length, 1, line);
        }
      },
    ),
    { numRuns: 2000, seed: 42 },
  );
});
