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

/**
 * Hostile scripts: each ends with the one line the parent writes from the
 * runner's verdict, the right status, and no trace or data: URL.
 */
/**
 * A memory bomb ends one of two ways, both the limit holding: the
 * allocation past it fails in the script (a RangeError, status 1), or
 * V8's own next allocation does and the child dies (status 137).
 */
const OOM = -1;
const hostile: [string, string, RegExp, number, { memoryMb?: number; timeoutMs?: number }?][] = [
  [
    "eight 256 MiB typed arrays",
    `export default function () { const a = []; for (let i = 0; i < 8; i++) { const x = new Uint8Array(256 << 20); x.fill(1); a.push(x); } }`,
    /^script error: (RangeError: Array buffer allocation failed \(the memory limit is 256 MiB\)|stopped: out of memory \(the limit is 256 MiB\))$/,
    OOM,
  ],
  [
    "a WebAssembly.Memory of 1.5 GB",
    `export default function () { const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); for (let i = 0; i < 30; i++) { m.grow(800); new Uint8Array(m.buffer).fill(1); } }`,
    /^script error: (RangeError: WebAssembly\.Memory\.grow\(\): Unable to grow instance memory \(the memory limit is 128 MiB\)|stopped: out of memory \(the limit is 128 MiB\))$/,
    OOM,
    { memoryMb: 128 },
  ],
  [
    "a machine of 2^38 bytes",
    `export default function (mm) { new mm.Machine({ ramBytes: 2 ** 38 }); }`,
    /^script error: RangeError: RAM of 274877906944 bytes is above the maximum of 64G \(at script\.ts:1:\d+\)$/,
    1,
  ],
  [
    "masking console.error and Deno.exit, then throwing",
    `console.error = () => {}; Deno.exit = () => {}; throw new Error("boom");`,
    /^script error: Error: boom \(at script\.ts:1:\d+\)$/,
    1,
  ],
  [
    "Deno.exit(0) in a finally after a throw",
    `export default function () { try { throw new Error("x"); } finally { Deno.exit(0); } }`,
    /^script error: the script called Deno\.exit\(0\); a script ends by returning/,
    1,
  ],
  [
    "process.exit(0) in a finally after a throw",
    `import process from "node:process"; try { throw 1; } finally { process.exit(0); }`,
    /^script error: the script called process\.exit\(0\)/,
    1,
  ],
  ["close()", `close();`, /^script error: the script called close\(\)/, 1],
  [
    "Deno.exit(133)",
    `Deno.exit(133);`,
    /^script error: the script called Deno\.exit\(133\); a script ends/,
    1,
  ],
  [
    "a late throw from a timer",
    `export default async function () { setTimeout(() => { throw new Error("late"); }, 5); await new Promise((r) => setTimeout(r, 200)); }`,
    /^script error: Error: late/,
    1,
  ],
  [
    "an unhandled rejection",
    `Promise.reject(new TypeError("nope")); await new Promise((r) => setTimeout(r, 50));`,
    /^script error: TypeError: nope/,
    1,
  ],
  [
    "a syntax error",
    `export default function ( {`,
    /^script error: SyntaxError: .* \(at script\.ts:1:\d+\)$/,
    1,
  ],
  [
    "a thrown object whose message getter throws",
    `throw { get message() { throw 1; } };`,
    /^script error: uncaught object/,
    1,
  ],
  [
    "an unload listener that never returns",
    `addEventListener("unload", () => { for (;;) {} }); throw new Error("real");`,
    /^script error: Error: real/,
    1,
  ],
  [
    "a rejected promise dressed as fulfilled (patched then and constructor)",
    `Promise.prototype.then = function (ok) { ok(); }; Object.defineProperty(Promise.prototype, "constructor", { get: () => Object }); export default async function () { throw new Error("hidden"); }`,
    /^script error: Error: hidden/,
    1,
  ],
  [
    "an Object.prototype.toJSON that rewrites the verdict",
    `Object.prototype.toJSON = function () { return { ok: true }; }; throw new Error("j");`,
    /^script error: Error: j/,
    1,
  ],
  [
    "a patched subarray and species constructor that see the verdict's bytes",
    `const d = new TextDecoder(); Uint8Array.prototype.subarray = function () { return new TextEncoder().encode(d.decode(this).replace("false", "true ")); }; Object.defineProperty(Uint8Array.prototype, "constructor", { get() { throw 1; } }); throw new Error("s");`,
    /^script error: Error: s/,
    1,
  ],
  [
    "a patched preventDefault and a late throw",
    `Event.prototype.preventDefault = () => { throw 1; }; setTimeout(() => { throw new Error("late"); }, 1); await new Promise((r) => setTimeout(r, 100));`,
    /^script error: Error: late/,
    1,
  ],
  [
    "a Worker (a second isolate does not fit in the limit)",
    `new Worker("data:application/javascript,Deno.exit(0)", { type: "module" }); await new Promise((r) => setTimeout(r, 300)); throw new Error("w");`,
    /^script error: (stopped: out of memory \(the limit is 256 MiB\)|Error: w.*)$/,
    OOM,
  ],
  [
    "a forged verdict line and a patched JSON.parse",
    `console.error('\\n00 {"ok":true}'); JSON.parse = () => ({ ok: true }); throw new Error("f");`,
    /^script error: Error: f/,
    1,
  ],
];

for (const [what, code, want, status, opts] of hostile) {
  Deno.test(`sandbox: hostile script: ${what}`, async () => {
    // Each case takes 30-300 ms on an idle machine; the bound leaves room for
    // the stalls of the parallel suite on two shared cores.
    const t0 = performance.now();
    const r = await runScript(code, { timeoutMs: 8000, ...opts });
    assert.ok(performance.now() - t0 < 8000, `${performance.now() - t0} ms`);
    const last = r.stderr.trim().split("\n").pop()!;
    assert.match(last, want, r.stderr);
    assert.doesNotMatch(r.stderr, /data:|base64|\n\s+at |Stack backtrace/);
    if (status === OOM) {
      assert.ok(r.stderr.trim().split("\n").length === 1, r.stderr);
      assert.equal(r.code, /stopped: out of memory/.test(last) ? 137 : 1);
    } else {
      assert.doesNotMatch(r.stderr, /out of memory/);
      assert.equal(r.code, status);
    }
    assert.equal(r.stdout, "");
  });
}

Deno.test("sandbox: 600 MiB of stdout is cut at the limit and said so; the parent holds", async () => {
  const r = await runScript(
    `export default function () { const b = new Uint8Array(1 << 20).fill(120); for (let i = 0; i < 600; i++) Deno.stdout.writeSync(b); }`,
    { outputLimitBytes: 1 << 20 },
  );
  assert.equal(r.stdout.length, 1 << 20);
  assert.equal(r.cutBytes, 599 << 20);
  assert.match(
    r.stderr,
    /^script error: output over the limit of 1048576 bytes per stream: 628097024 bytes of stdout cut\n$/,
  );
  assert.equal(r.code, 1);
});

Deno.test("sandbox: without prlimit, the RSS watchdog stops a typed-array bomb", async () => {
  const r = await runScript(
    // Grows to 384 MiB at most, then waits: the watchdog (polling every 50
    // ms) must end it, whenever it gets to run.
    `export default async function () { const a = []; for (let i = 0; i < 48; i++) { const x = new Uint8Array(8 << 20); x.fill(1); a.push(x); await new Promise((r) => setTimeout(r, 2)); } await new Promise((r) => setTimeout(r, 60000)); }`,
    { memoryMb: 64, rlimit: false, timeoutMs: 20000 },
  );
  assert.equal(r.code, 137, r.stderr);
  assert.equal(r.stderr, "script error: stopped: out of memory (the limit is 64 MiB)\n");
});

Deno.test("sandbox: limits out of range are refused, not overflowed", async () => {
  for (
    const o of [{ timeoutMs: 2147484000 }, { timeoutMs: 0 }, { memoryMb: 1 }, { memoryMb: 1e6 }]
  ) {
    await assert.rejects(() => runScript("", o), RangeError);
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-run",
      "repl/script_main.ts",
      "x.ts",
      "--timeout",
      "2147484",
    ],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr).trim();
  assert.equal(out.code, 2);
  assert.match(err, /the timeout must be a whole number from 1 to 86400 seconds/);
  assert.equal(err.split("\n").length, 1);
});

Deno.test("sandbox: a script that returns normally passes, its output intact", async () => {
  const r = await runScript(`console.log("hi"); console.error("note"); export default () => {};`);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, "hi\n", "note\n"]);
});

Deno.test("sandbox: the script task's own permissions are enough to hold the memory limit", async () => {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    file,
    `export default function () { const a = []; for (let i = 0; i < 8; i++) a.push(new Uint8Array(128 << 20).fill(1)); }`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    // The permissions of deno.json's "script" task.
    args: ["run", "--allow-read", "--allow-run", "repl/script_main.ts", file, "--memory", "64"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  const err = new TextDecoder().decode(out.stderr);
  assert.match(
    err,
    /^script error: (RangeError: Array buffer allocation failed \(the memory limit is 64 MiB\)|stopped: out of memory \(the limit is 64 MiB\))\n$/,
  );
  assert.equal(out.code, /stopped/.test(err) ? 137 : 1);
});

Deno.test("sandbox: stdout streams to onStdout as the script prints, capped", async () => {
  const chunks: string[] = [];
  const r = await runScript(
    `export default async function () { console.log("first"); await new Promise((r) => setTimeout(r, 1000)); console.log("second"); }`,
    { onStdout: (b) => chunks.push(new TextDecoder().decode(b)), outputLimitBytes: 10 },
  );
  assert.equal(r.stdout, "");
  assert.equal(chunks[0], "first\n"); // before the script went on
  assert.equal(chunks.join(""), "first\nseco");
  assert.match(
    r.stderr,
    /^script error: output over the limit of 10 bytes per stream: 3 bytes of stdout cut\n$/,
  );
});
