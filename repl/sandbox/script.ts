/**
 * Running a user's TypeScript experiment in a sandbox: a child Deno with
 * no permissions (no files, network, environment or subprocesses), no
 * remote or npm imports, and three limits that hold whatever the script
 * does:
 *
 * - Time: a wall-clock limit (1 ms to {@link MAX_TIMEOUT_MS}), enforced by
 *   killing the child.
 * - Memory: the whole child, not only the JS heap. V8's heap gets
 *   `--max-old-space-size`; and once the runner has started (it says
 *   "ready" before reading the script), the child's RLIMIT_DATA is set with
 *   `prlimit --pid` to the data it holds then plus the limit. RLIMIT_DATA
 *   counts every private writable mapping (mm/mmap.c may_expand_vm(),
 *   is_data_mapping(); also checked when mprotect makes memory writable),
 *   which is where the JS heap, ArrayBuffers and WebAssembly.Memory all
 *   live once committed. RLIMIT_AS cannot do it: V8 reserves some 18 GB of
 *   address space at start (pointer cage, code range, wasm guard regions)
 *   that is never memory. A typed array or wasm grow past the limit fails
 *   in the script with a RangeError; the heap hitting it ends the child.
 *   A watchdog also polls the child's VmRSS (/proc/PID/status) and kills it
 *   past the limit (every 250 ms; every 50 ms where prlimit, from util-linux, is
 *   missing and the watchdog is the only guard).
 * - Output: each of stdout and stderr is read as a stream and kept up to
 *   {@link ScriptOptions.outputLimitBytes}; the rest is counted, dropped,
 *   and reported ("N bytes of stdout cut").
 *
 * The verdict comes from the runner through a nonce-tagged last line on
 * stderr that the script cannot forge or suppress (see runner.ts); without
 * it the script failed, whatever its exit status.
 * @module
 */

/** The longest time limit: one day (setTimeout takes at most 2^31 - 1 ms). */
export const MAX_TIMEOUT_MS = 86_400_000;
/** Memory limits accepted, in MiB. */
export const MIN_MEMORY_MB = 16;
export const MAX_MEMORY_MB = 65_536;
/** Largest script source accepted, in bytes. */
export const MAX_SOURCE_BYTES = 16 << 20;

export interface ScriptOptions {
  /** Wall-clock limit in milliseconds (default 10 s, at most {@link MAX_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Memory limit of the whole child in MiB (default 256). */
  memoryMb?: number;
  /** Bytes kept of each of stdout and stderr (default 16 MiB); the rest is cut. */
  outputLimitBytes?: number;
  /**
   * Receives the script's stdout as it comes (up to the limit) instead of
   * {@link ScriptResult.stdout}, which is then empty. stderr is always
   * returned whole: the runner's verdict is read from it at the end.
   */
  onStdout?: (bytes: Uint8Array) => void;
  /** The script's name in error locations (default "script.ts"). */
  name?: string;
  /**
   * Set RLIMIT_DATA with prlimit (default true). false leaves only the RSS
   * watchdog, as on a host without prlimit (for tests).
   */
  rlimit?: boolean;
}

export interface ScriptResult {
  /** 0 ok; 1 the script failed; 124 the time limit; 137 the memory limit. */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outOfMemory: boolean;
  /** Bytes of output dropped past the limit (stdout and stderr). */
  cutBytes: number;
}

const RUNNER = new URL("./runner.ts", import.meta.url).pathname;
const READY = "mmlab-runner-ready\n";
/** What V8 (or Rust's allocator) prints when the heap or the data limit ends the process. */
const V8_OOM =
  /Fatal (JavaScript|process) out of memory|<--- Last few GCs --->|memory allocation of \d+ bytes failed/;

/** Why the options cannot be used, or null. */
export function checkScriptOptions(opts: ScriptOptions): string | null {
  const { timeoutMs = 10_000, memoryMb = 256, outputLimitBytes = 16 << 20 } = opts;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    return `the time limit must be 1 ms to ${MAX_TIMEOUT_MS} ms (one day), not ${timeoutMs}`;
  }
  if (!Number.isSafeInteger(memoryMb) || memoryMb < MIN_MEMORY_MB || memoryMb > MAX_MEMORY_MB) {
    return `the memory limit must be ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB} MiB, not ${memoryMb}`;
  }
  if (!Number.isSafeInteger(outputLimitBytes) || outputLimitBytes < 0) {
    return `the output limit must be a whole number of bytes, not ${outputLimitBytes}`;
  }
  return null;
}

/** A stream kept up to a limit, with its last bytes kept apart (the verdict is there). */
class Capture {
  private readonly head: Uint8Array[] = [];
  kept = 0;
  total = 0;
  private tail = new Uint8Array(0);

  /** With `sink`, kept bytes go there as they come instead of being stored. */
  constructor(
    private readonly limit: number,
    private readonly tailBytes = 0,
    private readonly sink?: (bytes: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.slice(0, room);
      if (this.sink) this.sink(part);
      else this.head.push(part);
      this.kept += part.length;
    }
    if (this.tailBytes > 0) {
      const t = new Uint8Array(Math.min(this.tailBytes, this.tail.length + chunk.length));
      const fromChunk = Math.min(chunk.length, t.length);
      const fromTail = t.length - fromChunk;
      t.set(this.tail.subarray(this.tail.length - fromTail), 0);
      t.set(chunk.subarray(chunk.length - fromChunk), fromTail);
      this.tail = t;
    }
  }

  get cut(): number {
    return this.total - this.kept;
  }

  /** The kept bytes (the first `bytes` of them), as text. */
  text(bytes = this.kept): string {
    if (this.sink) return "";
    const all = new Uint8Array(this.kept);
    let at = 0;
    for (const c of this.head) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all.subarray(0, bytes));
  }

  tailText(): string {
    return new TextDecoder().decode(this.tail);
  }
}

/** Reads a stream to its end into `cap`; `first` sees the bytes before the first newline. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  cap: Capture,
  first?: (line: string) => void,
): Promise<void> {
  let pending: Uint8Array | null = first ? new Uint8Array(0) : null;
  for await (const chunk of stream) {
    if (pending !== null) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      const nl = joined.indexOf(10);
      if (nl < 0 && joined.length < 256) {
        pending = joined;
        continue;
      }
      first!(new TextDecoder().decode(joined.subarray(0, nl + 1)));
      pending = null;
      if (nl + 1 < joined.length) cap.push(joined.subarray(nl + 1));
      continue;
    }
    cap.push(chunk);
  }
  if (pending !== null) first!(new TextDecoder().decode(pending));
}

/**
 * A field of /proc/PID/status in bytes, or undefined. Deno lets only
 * --allow-all read another process's /proc files, so without it `cat`
 * reads them (--allow-run, which the sandbox's parent has anyway).
 */
async function statusBytes(pid: number, field: string): Promise<number | undefined> {
  const path = `/proc/${pid}/status`;
  let text: string | undefined;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
      return undefined; // the child is gone
    }
    try {
      const out = await new Deno.Command("cat", {
        args: [path],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).output();
      if (out.success) text = new TextDecoder().decode(out.stdout);
    } catch { /* no cat */ }
  }
  const m = text === undefined ? null : new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Sets the child's RLIMIT_DATA to its data now plus the limit; false if it cannot. */
async function limitData(pid: number, memoryMb: number): Promise<boolean> {
  const data = await statusBytes(pid, "VmData");
  if (data === undefined) return false;
  const limit = data + memoryMb * 2 ** 20;
  try {
    const out = await new Deno.Command("prlimit", {
      args: [`--pid=${pid}`, `--data=${limit}:${limit}`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false; // no prlimit on this host: the watchdog alone guards
  }
}

/** The runner's verdict in the stderr tail (and its size in bytes), or null. */
function findVerdict(
  tail: string,
  nonce: string,
): { ok: boolean; message?: string; bytes: number } | null {
  const at = tail.lastIndexOf(`\n${nonce} `);
  if (at < 0) return null;
  const start = at + nonce.length + 2;
  const end = tail.indexOf("\n", start);
  try {
    const v = JSON.parse(tail.slice(start, end < 0 ? undefined : end));
    if (typeof v?.ok !== "boolean") return null;
    return {
      ok: v.ok,
      message: typeof v.message === "string" ? v.message : undefined,
      bytes: new TextEncoder().encode(tail.slice(at, end < 0 ? undefined : end + 1)).length,
    };
  } catch {
    return null;
  }
}

/** The script's own stderr (the verdict is already cut off): V8's crash report removed. */
function shownStderr(text: string): string {
  const oom = text.search(V8_OOM);
  // V8 frames its report with "#" lines: "\n\n#\n# Fatal ...".
  if (oom >= 0) text = text.slice(0, oom).replace(/[\s#]*$/, "\n");
  text = text.replace(/\n?Stack backtrace:[\s\S]*$/, "").replace(/\n+$/, "\n");
  return text === "\n" ? "" : text;
}

/** Runs `source` sandboxed; resolves when the child ends. Throws RangeError for bad options. */
export async function runScript(source: string, opts: ScriptOptions = {}): Promise<ScriptResult> {
  const bad = checkScriptOptions(opts);
  if (bad !== null) throw new RangeError(bad);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const memoryMb = opts.memoryMb ?? 256;
  const outputLimit = opts.outputLimitBytes ?? 16 << 20;
  const name = (opts.name ?? "script.ts").replace(/[\r\n]/g, " ");
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");

  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--no-remote",
      "--no-npm",
      "--no-config",
      "--no-lock",
      "--cached-only",
      `--v8-flags=--max-old-space-size=${memoryMb}`,
      RUNNER,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: { NO_COLOR: "1" },
  }).spawn();

  let timedOut = false, watchdogKilled = false, exited = false;
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);

  const out = new Capture(outputLimit, 0, opts.onStdout);
  const err = new Capture(outputLimit, 64 << 10);
  let onReady!: (ok: boolean) => void;
  const ready = new Promise<boolean>((res) => (onReady = res));
  const outDone = pump(child.stdout, out, (line) => onReady(line === READY));
  const errDone = pump(child.stderr, err);
  const status = child.status;
  status.then(() => onReady(false));

  let watchdog: ReturnType<typeof setInterval> | undefined;
  const started = await ready;
  if (started) {
    const limited = opts.rlimit !== false && await limitData(child.pid, memoryMb);
    const rss0 = await statusBytes(child.pid, "VmRSS") ?? 0;
    const rssLimit = rss0 + (memoryMb + 64) * 2 ** 20;
    let polling = false;
    watchdog = setInterval(async () => {
      if (polling) return;
      polling = true;
      const rss = await statusBytes(child.pid, "VmRSS");
      polling = false;
      if (rss !== undefined && rss > rssLimit && !exited) {
        watchdogKilled = true;
        kill();
      }
    }, limited ? 250 : 50);
    try {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(`${nonce}\n${name}\n${source}`));
      await w.close();
    } catch { /* the child ended first: its status says how */ }
  } else {
    try {
      await child.stdin.close();
    } catch { /* already closed */ }
  }
  const st = await status;
  exited = true;
  clearTimeout(timer);
  clearInterval(watchdog);
  await Promise.all([outDone, errDone]);

  const verdict = findVerdict(err.tailText(), nonce);
  // The script's own stderr ends where the verdict begins.
  const errTotal = err.total - (verdict?.bytes ?? 0);
  const errCut = Math.max(0, errTotal - err.kept);
  const rawErr = err.text(Math.min(err.kept, errTotal));
  let stderr = shownStderr(rawErr);
  const say = (line: string) => {
    if (stderr !== "" && !stderr.endsWith("\n")) stderr += "\n";
    stderr += `script error: ${line}\n`;
  };
  let code: number;
  let outOfMemory = false;
  if (!started) {
    const why = rawErr.split("\n").find((l) => l.trim() !== "") ?? `exit status ${st.code}`;
    stderr = "";
    say(`the sandbox did not start: ${why.replace(/^error: /, "")}`);
    code = 1;
  } else if (timedOut && verdict?.ok !== false) {
    say(`stopped after the time limit of ${timeoutMs} ms`);
    code = 124;
  } else if (verdict?.ok === false) {
    let msg = verdict.message ?? "failed";
    if (/allocation failed|Unable to grow|Out of memory|out of memory/i.test(msg)) {
      msg += ` (the memory limit is ${memoryMb} MiB)`;
    }
    say(msg);
    code = 1;
  } else if (verdict?.ok === true) {
    code = 0;
  } else if (watchdogKilled || V8_OOM.test(err.tailText()) || V8_OOM.test(rawErr)) {
    say(`stopped: out of memory (the limit is ${memoryMb} MiB)`);
    outOfMemory = true;
    code = 137;
  } else {
    say(
      `the script ended the process before finishing (exit status ${st.code}` +
        `${st.signal ? `, ${st.signal}` : ""}); nothing it did can be trusted as a result`,
    );
    code = 1;
  }
  const cutBytes = out.cut + errCut;
  if (out.cut > 0 || errCut > 0) {
    const parts = [];
    if (out.cut > 0) parts.push(`${out.cut} bytes of stdout`);
    if (errCut > 0) parts.push(`${errCut} bytes of stderr`);
    say(`output over the limit of ${outputLimit} bytes per stream: ${parts.join(" and ")} cut`);
    if (code === 0) code = 1;
  }
  return { code, stdout: out.text(), stderr, timedOut, outOfMemory, cutBytes };
}
