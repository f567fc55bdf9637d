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
 * The API is also available as `globalThis.mmlab`.
 * @module
 */

import * as mmlab from "../../mod.ts";

/** One clear line for anything the sandbox refused or the script threw. */
function describe(e: unknown): string {
  if (
    e instanceof Deno.errors.NotCapable ||
    (e instanceof Error && /Requires \w+ access/.test(e.message))
  ) {
    const msg = (e as Error).message.split("\n")[0].replace(/, run again with .*$/, "");
    return `blocked by the sandbox: ${msg}`;
  }
  if (e instanceof Error) return `${e.name}: ${e.message.split("\n")[0]}`;
  return String(e);
}

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
  return new TextDecoder().decode(all);
}

const src = await readAll();
(globalThis as Record<string, unknown>).mmlab = mmlab;
let b64 = "";
const bytes = new TextEncoder().encode(src);
for (let i = 0; i < bytes.length; i += 0x8000) {
  b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
}
try {
  const mod = await import(`data:application/typescript;base64,${btoa(b64)}`);
  if (typeof mod.default === "function") await mod.default(mmlab);
} catch (e) {
  console.error(`script error: ${describe(e)}`);
  Deno.exit(1);
}
