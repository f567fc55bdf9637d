/** Runs REPL lines and returns the kernel trace steps of the last one, as data. */
import { Session } from "../../repl/session.ts";
import type { TraceStep } from "../../mod.ts";

/** A REPL session (its machine has persistent memory: /mnt/pmem, /dev/dax0.0). */
export function session(): Session {
  return new Session();
}

/**
 * Runs `setup`, then `trace on`, then `line`; returns the steps `line`
 * recorded, and the text it printed. Throws if a setup line failed.
 */
export async function traced(
  s: Session,
  setup: readonly string[],
  line: string,
): Promise<{ steps: TraceStep[]; output: string[] }> {
  for (const l of setup) {
    const r = await s.run(l);
    if (r.error) throw new Error(`${l}: ${r.output.join("\n")}`);
  }
  await s.run("trace on");
  const r = await s.run(line);
  await s.run("trace off");
  return { steps: r.data?.trace ?? [], output: r.output };
}

/** The innermost function of each step. */
export function fns(steps: readonly TraceStep[]): string[] {
  return steps.map((s) => s.fn);
}

/** Runs `lines` with tracing never on: no step, no `trace:` line. */
export async function untraced(s: Session, lines: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of lines) {
    const r = await s.run(l);
    if (r.data?.trace !== undefined) throw new Error(`${l}: trace data with tracing off`);
    out.push(...r.output);
  }
  return out;
}
