/**
 * The trusted side of a sandboxed script: the main module of a Deno child
 * started with no permissions at all (see script.ts). It reads the user's
 * source from stdin, imports it as a `data:` URL — so every import the
 * script makes is permission-checked, unlike a main module's static
 * imports — and hands it the mmlab API. The script talks to the machine
 * only through that API; files, network, environment and subprocesses are
 * refused by Deno, and the refusal is reported in one line.
 *
 * A script is a module whose default export receives the API:
 *
 * ```ts
 * export default function (mmlab: typeof import("../../mod.ts")) {
 *   const m = new mmlab.Machine({ seed: 7 });
 *   ...
 * }
 * ```
 * The API is also available as `globalThis.mmlab`. The script ends when its
 * default export returns (or its promise settles), or, without one, when
 * the module has run: timers still pending then do not run.
 *
 * The verdict. Before any user code runs, this prelude keeps its own
 * references to the functions it needs (the process's exit, a stderr
 * writer, JSON.stringify) and replaces every way a script could end the
 * process itself (Deno.exit, process.exit, close()) with a refusal. Its
 * verdict — ok, or one line of error — goes to stderr as the last line,
 * tagged with a nonce the parent sent on stdin ahead of the source. The
 * script never sees the nonce (it was read, and stdin drained, before the
 * script was imported; it lives only in this module's scope), so it cannot
 * forge an "ok"; and it cannot stop the verdict, since replacing
 * console.error or Deno.exit changes nothing this prelude uses. Anything
 * else (no verdict at all) is a failure in the parent's eyes.
 * @module
 */

import * as mmlab from "../../mod.ts";
import process from "node:process";

// --- The prelude: references kept before any user code runs. ---
const realExit = Deno.exit;
const stderrWrite = Deno.stderr.writeSync.bind(Deno.stderr);
const stdoutWrite = Deno.stdout.writeSync.bind(Deno.stdout);
const stringify = JSON.stringify;
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const decoder = new TextDecoder();
const decode = decoder.decode.bind(decoder);
const stringReplaceAll = String.prototype.replaceAll as (
  this: string,
  find: string,
  by: string,
) => string;
const regexpExec = RegExp.prototype.exec;
const NativePromise = Promise;
const promiseThen = Promise.prototype.then;
const NativeUint8Array = Uint8Array;
const bufferOf = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  "buffer",
)!.get as (this: Uint8Array) => ArrayBuffer;
const preventDefault = Event.prototype.preventDefault;

/**
 * A promise of the runner's that settles like `value`, read through the
 * original Promise machinery: a script that patched Promise.prototype.then
 * or .constructor cannot make its rejected promise look fulfilled. Any
 * other value (a Machine, a plain object, the script's own thenable)
 * counts as returning; so does a promise the script gave an own
 * `constructor` that throws, which is the script catching its own error.
 */
function settle(value: unknown): Promise<unknown> {
  return new NativePromise((resolve, reject) => {
    try {
      promiseThen.call(value as Promise<unknown>, resolve, reject);
    } catch {
      resolve(undefined); // never resolve(value): that would call its then
    }
  });
}

/**
 * Writes all of `bytes` (fresh from `encode`, offset 0) without calling a
 * method the script could have replaced: subarray() would hand the bytes,
 * nonce and all, to a patched constructor.
 */
function writeAll(write: (b: Uint8Array) => number, bytes: Uint8Array): void {
  const buffer = bufferOf.call(bytes);
  const length = buffer.byteLength;
  let off = write(bytes);
  while (off < length) off += write(new NativeUint8Array(buffer, off));
}

/**
 * The verdict the parent reads; then the process ends. Never returns. The
 * JSON is built here: JSON.stringify of an object would call a toJSON the
 * script put on Object.prototype (and hand it the verdict to rewrite).
 */
let finished = false;
function verdict(v: { ok: true } | { ok: false; message: string }): never {
  if (!finished) {
    finished = true;
    try {
      const json = v.ok ? `{"ok":true}` : `{"ok":false,"message":${stringify(v.message)}}`;
      writeAll(stderrWrite, encode(`\n${nonce} ${json}\n`));
    } catch { /* stderr closed: the parent sees no verdict, a failure */ }
  }
  return realExit(v.ok ? 0 : 1);
}

/** One clear line for anything the sandbox refused or the script threw. */
function describe(e: unknown): string {
  let text: string;
  if (
    e instanceof Deno.errors.NotCapable ||
    (e instanceof Error && /Requires \w+ access/.test(String(e.message)))
  ) {
    const msg = String((e as Error).message).split("\n")[0].replace(/, run again with .*$/, "");
    text = `blocked by the sandbox: ${msg}`;
  } else if (e instanceof Error) {
    text = `${e.name}: ${String(e.message).split("\n")[0]}`;
    // A parse error of the script arrives wrapped: "TypeError: SyntaxError: ...".
    text = text.replace(/^TypeError: (SyntaxError: )/, "$1");
    const where = whereIn(e);
    if (where !== null && !text.includes(url)) text += ` (at ${where})`;
  } else {
    try {
      text = `uncaught ${typeof e}: ${String(e)}`;
    } catch {
      text = `uncaught ${typeof e}`;
    }
  }
  text = stringReplaceAll.call(text, url, name);
  text = text.split("\n")[0];
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/** `name:line:col` of the error's first frame in the script, if any. */
function whereIn(e: Error): string | null {
  try {
    const stack = String(e.stack ?? "");
    const at = stack.indexOf(url);
    if (at < 0) return null;
    const m = regexpExec.call(/^:(\d+):(\d+)/, stack.slice(at + url.length));
    return m ? `${name}:${m[1]}:${m[2]}` : name;
  } catch {
    return null;
  }
}

/** describe(), which must not throw whatever the script threw (getters, proxies). */
function safeDescribe(e: unknown): string {
  try {
    return describe(e);
  } catch {
    return "an exception that cannot be described";
  }
}

const refuse = (how: string) => (code?: unknown): never => {
  let arg = "";
  try {
    arg = code === undefined ? "" : String(code).slice(0, 20);
  } catch { /* an argument that cannot be shown */ }
  return verdict({
    ok: false,
    message: `the script called ${how}(${arg}); ` +
      "a script ends by returning from its default export (or by throwing)",
  });
};

// Uncaught errors and rejections: the event's getters and preventDefault
// may have been replaced by the script, so each step is guarded and the
// verdict is written whatever they do.
globalThis.addEventListener("error", (ev) => {
  let message = "an uncaught exception";
  try {
    preventDefault.call(ev);
    const e = ev as ErrorEvent;
    message = safeDescribe(e.error ?? e.message);
  } finally {
    verdict({ ok: false, message });
  }
});
globalThis.addEventListener("unhandledrejection", (ev) => {
  let message = "an unhandled rejection";
  try {
    preventDefault.call(ev);
    message = safeDescribe((ev as PromiseRejectionEvent).reason);
  } finally {
    verdict({ ok: false, message });
  }
});

// --- Handshake: the parent sets the memory limit once it sees "ready". ---
writeAll(stdoutWrite, encode("mmlab-runner-ready\n"));

async function readAll(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of Deno.stdin.readable) chunks.push(c);
  const n = chunks.reduce((s, c) => s + c.length, 0);
  const all = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return decode(all);
}

// stdin: the nonce, the script's name, then its source.
const input = await readAll();
const firstNl = input.indexOf("\n");
const secondNl = input.indexOf("\n", firstNl + 1);
const nonce = input.slice(0, firstNl);
const name = input.slice(firstNl + 1, secondNl);
const src = input.slice(secondNl + 1);

let b64 = "";
const bytes = encode(src);
for (let i = 0; i < bytes.length; i += 0x8000) {
  b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
}
const url = `data:application/typescript;base64,${btoa(b64)}`;

(globalThis as Record<string, unknown>).mmlab = mmlab;
// The runner's exit skips "unload" listeners: a script's listener cannot
// hang or alter the end once the verdict is written (Deno's exit() checks
// this flag; fixed here so the script cannot clear it).
Object.defineProperty(globalThis, Symbol.for("Deno.isUnloadDispatched"), {
  get: () => true,
  set: () => {},
  configurable: false,
});
Deno.exit = refuse("Deno.exit");
process.exit = refuse("process.exit");
(process as unknown as Record<string, unknown>).reallyExit = refuse("process.reallyExit");
process.abort = refuse("process.abort");
(globalThis as Record<string, unknown>).close = refuse("close");

// From here on no `await`: it reads `.constructor` and `.then` of what it
// waits for, which the script may have patched. Reactions go through the
// original then, on promises the runner made.
const fail = (e: unknown) => verdict({ ok: false, message: safeDescribe(e) });
promiseThen.call(import(url), (mod: { default?: unknown }) => {
  let result: unknown;
  try {
    const main = mod.default;
    if (typeof main !== "function") return verdict({ ok: true });
    result = main(mmlab);
  } catch (e) {
    return fail(e);
  }
  promiseThen.call(settle(result), () => verdict({ ok: true }), fail);
}, fail);
