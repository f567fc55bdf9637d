/** Sandboxed scripts: the API works; every way out is refused with one clear line. */
import assert from "node:assert/strict";
import { runScript } from "../../repl/sandbox/script.ts";

Deno.test("sandbox: a script drives the machine through the API", async () => {
  const r = await runScript(`
    export default function (mmlab) {
      const m = new mmlab.Machine({ ramBytes: 64 << 20 });
      const a = mmlab.syscall(m.init, "mmap", [0x7f0000000000n, 4096n, 3, 0x32, -1, 0]).ret;
      mmlab.cpuWrite(m.init, a, new Uint8Array([65]));
      console.log(a.toString(16), mmlab.cpuRead(m.init, a, 1).bytes[0]);
    }`);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "7f0000000000 65\n");
  assert.equal(r.code, 0);
});

const escapes: [string, string, RegExp][] = [
  [
    "read a host file",
    `await Deno.readTextFile("/etc/passwd")`,
    /blocked by the sandbox: Requires read access to "\/etc\/passwd"/,
  ],
  [
    "write a host file",
    `await Deno.writeTextFile("/tmp/mmlab-pwned", "x")`,
    /blocked by the sandbox: Requires write access/,
  ],
  [
    "use the network",
    `await fetch("http://127.0.0.1:8787/")`,
    /blocked by the sandbox: Requires net access/,
  ],
  ["read the environment", `Deno.env.get("HOME")`, /blocked by the sandbox: Requires env access/],
  [
    "run a program",
    `await new Deno.Command("/usr/bin/id").output()`,
    /blocked by the sandbox: Requires run access/,
  ],
  [
    "import a host file",
    `await import("file:///etc/passwd", { with: { type: "text" } })`,
    /blocked by the sandbox: Requires read access/,
  ],
  ["import an npm package", `await import("npm:picocolors")`, /script error: .*npm/],
  [
    "import from the web",
    `await import("https://example.com/x.ts")`,
    /script error: .*(import access|remote|example\.com)/,
  ],
];

for (const [what, code, want] of escapes) {
  Deno.test(`sandbox: a script cannot ${what}`, async () => {
    const r = await runScript(
      `export default async function () { ${code}; console.log("ESCAPED"); }`,
    );
    assert.doesNotMatch(r.stdout, /ESCAPED/);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.equal(r.code, 1);
  });
}

Deno.test("sandbox: a static import of a host file fails too", async () => {
  const r = await runScript(
    `import t from "file:///etc/passwd" with { type: "text" }; console.log(t);`,
  );
  assert.doesNotMatch(r.stdout, /root:/);
  assert.match(r.stderr, /blocked by the sandbox: Requires read access/);
});

Deno.test("sandbox: an endless loop is stopped at the time limit", async () => {
  const r = await runScript(`export default function () { for (;;) {} }`, { timeoutMs: 1500 });
  assert.ok(r.timedOut);
  assert.equal(r.code, 124);
  assert.match(r.stderr, /stopped after the time limit of 1500 ms/);
});

Deno.test("sandbox: a memory bomb kills only the child", async () => {
  const r = await runScript(
    `export default function () { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }`,
    { memoryMb: 64, timeoutMs: 20000 },
  );
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /out of memory/);
});
