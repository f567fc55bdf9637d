/**
 * Recording to a file (the I/O side of `record` and `--record`): each
 * piece is written with a synchronous write as soon as it exists, so a
 * killed REPL loses nothing it already showed.
 * @module
 */

import { fileErrorText } from "./os_error.ts";
import type { RunResult, Session } from "./session.ts";
import { headerOf, Recorder } from "./transcript/recorder.ts";
import { presetPolicies } from "../mod.ts";
import { LOG_MAX_CHARS } from "./habits.ts";

/** The policies the session's machine started with that differ from its preset's. */
function changedPolicies(session: Session): Record<string, string> {
  const defaults = (presetPolicies(session.machine.config.preset) ?? {}) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(session.habits.startPolicies)) {
    if (defaults[k] !== v) out[k] = v;
  }
  return out;
}

/** Handles record requests for a session; returns a message for the user. */
export class FileRecording {
  private file: Deno.FsFile | null = null;
  private path = "";
  private readonly enc = new TextEncoder();
  private readonly observer = (pid: string, line: string, r: RunResult) => {
    if (this.file === null || r.request !== undefined) return;
    if (r.interrupted) {
      // What Ctrl-C cut short would not replay: the file keeps what came before.
      const path = this.path;
      this.stop();
      r.output.push(`recording stopped: ${path} holds the commands before the interrupted one`);
      return;
    }
    this.recorder!.command(pid, line, r);
  };
  private recorder: Recorder | null = null;

  constructor(private readonly session: Session) {
    session.observers.push((_pid, _line, r) => {
      if (r.request === undefined) return;
      const msg = "record" in r.request ? this.start(r.request.record) : this.stop();
      r.output.push(msg);
    });
  }

  /** Starts writing a new transcript to `path`. */
  start(path: string): string {
    const cut = this.session.habits.interrupted;
    if (cut !== undefined) {
      return `record: this machine cannot be rebuilt from its commands (Ctrl-C stopped ${cut}); ` +
        "reset, then record";
    }
    if (this.session.habits.overflowed) {
      return `record: this session printed more than ${LOG_MAX_CHARS >> 20} MiB, too much to ` +
        "carry into a recording; reset, then record";
    }
    if (this.file !== null) this.stop();
    try {
      this.file = Deno.openSync(path, { write: true, create: true, truncate: true });
    } catch (e) {
      return `record: cannot write ${path}: ${fileErrorText(e)}`;
    }
    this.path = path;
    this.recorder = new Recorder((text) => {
      const bytes = this.enc.encode(text);
      let off = 0;
      while (off < bytes.length) off += this.file!.writeSync(bytes.subarray(off));
    });
    // Started mid-session, the transcript carries what this machine already did,
    // under the policies it started with, so that it replays from a fresh machine.
    const before = this.session.habits.log;
    const header = headerOf(this.session);
    if (before.length > 0) header.policies = changedPolicies(this.session);
    this.recorder.start(this.session, header);
    for (const l of before) this.recorder.command(l.prompt, l.line, l.result);
    this.session.observers.unshift(this.observer);
    const n = before.length;
    return n === 0
      ? `recording to ${path}`
      : `recording to ${path} (it starts with the ${n} command${n === 1 ? "" : "s"} run before)`;
  }

  stop(): string {
    if (this.file === null) return "record: not recording";
    const i = this.session.observers.indexOf(this.observer);
    if (i >= 0) this.session.observers.splice(i, 1);
    this.file.close();
    this.file = null;
    return `recorded ${this.path}`;
  }
}
