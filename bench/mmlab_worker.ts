/**
 * Runs one mmlab benchmark in a worker, so that each op gets a fresh V8
 * heap: garbage left by one op (hundreds of MiB of page bytes) must not be
 * collected on another op's clock. Message in: `{ sizes, op }`; out:
 * `{ ok: true, m }` or `{ ok: false, error }`.
 * @module
 */
/// <reference lib="deno.worker" />

import { runMmlab } from "./mmlab_bench.ts";
import type { Measurement, Sizes } from "./ops.ts";

export type WorkerRequest = { sizes: Sizes; op: string };
export type WorkerReply = { ok: true; m: Measurement } | { ok: false; error: string };

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  let reply: WorkerReply;
  try {
    reply = { ok: true, m: runMmlab(e.data.sizes, [e.data.op])[0] };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  self.postMessage(reply);
  self.close();
};
