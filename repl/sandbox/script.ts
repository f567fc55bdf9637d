/**
 * Running a user's TypeScript experiment in a sandbox: a child Deno with
 * no permissions (no files, network, environment or subprocesses), no
 * remote or npm imports, a heap limit, and a time limit enforced by
 * killing it. The script's output comes back line by line; an out-of-
 * memory or a timeout kills only the child.
 * @module
 */

export interface ScriptOptions {
  /** Wall-clock limit in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** V8 heap limit in MiB (default 256). */
  memoryMb?: number;
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const RUNNER = new URL("./runner.ts", import.meta.url).pathname;

/** Runs `source` sandboxed; resolves when the child ends. */
export async function runScript(source: string, opts: ScriptOptions = {}): Promise<ScriptResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const memoryMb = opts.memoryMb ?? 256;
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
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(source));
  await w.close();
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  let stderr = dec.decode(out.stderr).replace(/\n?Stack backtrace:[\s\S]*$/, "");
  if (timedOut) stderr += `script error: stopped after the time limit of ${timeoutMs} ms\n`;
  else if (out.signal === "SIGKILL" || out.code === 133 || /out of memory/i.test(stderr)) {
    if (!/script error:/.test(stderr)) {
      stderr = `script error: stopped: out of memory (the limit is ${memoryMb} MiB)\n`;
    }
  }
  return { code: timedOut ? 124 : out.code, stdout: dec.decode(out.stdout), stderr, timedOut };
}
