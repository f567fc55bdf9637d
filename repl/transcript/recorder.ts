/**
 * Recording a session as a transcript, as it goes: the header first, then
 * each command with its prompt and output, handed to a sink at once (the
 * front end's sink appends to a file and flushes, so killing the process
 * loses nothing already shown). Errors are recorded in their
 * location-free form, so a transcript recorded from a file replays
 * identically.
 * @module
 */

import { presetPolicies, VERSION } from "../../mod.ts";
import type { RunResult, Session } from "../session.ts";
import { formatError } from "../errors.ts";
import { renderCommand, renderHeader, type TranscriptHeader } from "./format.ts";

/** The header describing a session's machine. */
export function headerOf(session: Session): TranscriptHeader {
  const m = session.machine;
  const base = m.config;
  const defaults = (presetPolicies(base.preset) ?? {}) as Record<string, string>;
  const policies: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.policies as unknown as Record<string, string>)) {
    if (defaults[k] !== v) policies[k] = v;
  }
  return {
    version: VERSION,
    seed: base.seed,
    ram: base.ramBytes,
    preset: base.preset,
    policies,
    extra: [],
  };
}

export class Recorder {
  private started = false;

  constructor(private readonly sink: (text: string) => void) {}

  /** Writes the header; call before the first command. */
  start(session: Session, header: TranscriptHeader = headerOf(session)): void {
    if (this.started) return;
    this.started = true;
    this.sink(renderHeader(header).join("\n") + "\n");
  }

  /** Records a prose line (a `#` comment typed at the prompt becomes prose). */
  prose(text: string): void {
    this.sink(text + "\n");
  }

  /** Records one command run at `pid`'s prompt and what it printed. */
  command(pid: number | string, input: string, result: RunResult): void {
    const out = result.output.slice();
    if (result.error && out.length > 0) out[out.length - 1] = formatError(result.error);
    this.sink(renderCommand(pid, input, out).join("\n") + "\n");
  }
}
