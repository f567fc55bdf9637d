/**
 * `deno task repl --check-host FILE`: runs a command file on mmlab and on
 * the host kernel and shows every line where they differ (the first with
 * context), and what the run adapted to on this host.
 *
 * Exit status: 0 when they agree, 1 when they differ or a line is malformed
 * (it would print the same error on both sides and test nothing), 2 when the
 * comparison could not run (unreadable file, no gcc, no permission to run
 * programs, a requirement of the file the host does not meet).
 * @module
 */

import type { MachineConfig } from "../../mod.ts";
import { describeDifference, hostAdaptations, runDifferential, transcriptOf } from "./differ.ts";

/** Where check-host prints. */
export interface CheckHostOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs FILE on both sides; prints the verdict; returns the exit status. */
export async function checkHost(
  file: string,
  io: CheckHostOutput,
  opts: { verbose?: boolean; config?: MachineConfig } = {},
): Promise<number> {
  let text: string;
  try {
    text = file === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(file);
  } catch (e) {
    io.err(`mmlab: cannot read ${file}: ${e instanceof Error ? e.message : e}`);
    return 2;
  }
  const source = file === "-" ? "<stdin>" : file;
  const r = await runDifferential(text, { source, config: opts.config });
  if (r.status === "skip") {
    io.err(`mmlab: ${source}: not compared with the host kernel: ${r.reason}`);
    return 2;
  }
  if (opts.verbose) { for (const l of transcriptOf(r, "host")) io.out(l); }
  const compared = r.steps.filter((s) => s.echo.includes("mm> ") && s.compared).length;
  const notes = r.steps.filter((s) => !s.compared).length;
  const skipped = notes > 0 ? ` (${notes} not run on the host)` : "";
  const adapted = await hostAdaptations();
  const adaptations = adapted !== null && !adapted.includes(": none") ? ` (${adapted})` : "";
  if (r.status === "same") {
    io.out(
      `${source}: mmlab and the host kernel agree on ${compared} command lines${skipped}` +
        adaptations,
    );
    return 0;
  }
  for (const l of describeDifference(r, source)) io.out(l);
  if (adaptations !== "") io.out(`  ${adapted}`);
  return 1;
}
