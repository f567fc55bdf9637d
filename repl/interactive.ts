/**
 * Interactive mode on node:readline: line editing, Tab completion of
 * commands, constants and variables, persistent history
 * (~/.mmlab_history, or $MMLAB_HISTORY; never fatal), Ctrl-C clears the
 * line, Ctrl-D (or quit) leaves. Errors get a caret under their column.
 * @module
 */

import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { type Colours, paintLine, paintPrompt } from "./colour.ts";
import { complete } from "./complete.ts";
import { InterruptToken } from "./interrupt.ts";
import type { Pager } from "./pager.ts";
import { installReverseSearch } from "./reverse_search.ts";
import type { Session } from "./session.ts";
import { VERSION } from "../mod.ts";
import {
  CONTINUATION_PROMPT,
  emptyViewLine,
  isView,
  LineHistory,
  unclosed,
} from "./line_habits.ts";

/** How often progress is redrawn, and not before a command has run this long. */
const PROGRESS_EVERY_MS = 250;

function mib(bytes: number): string {
  return `${Math.floor(bytes / (1 << 20))} MiB`;
}

/** Past this column no caret is drawn under an error (a line of 1 MB would draw 1 MB of blanks). */
const CARET_MAX_COL = 500;

/** What the interactive loop talks to. */
export interface InteractiveOptions {
  session: Session;
  input: Readable;
  output: Writable;
  /** Whether input/output are a terminal (line editing, completion). */
  terminal: boolean;
  /** Where history is kept; null for none. */
  historyFile: string | null;
  colours: Colours;
  /** The most history lines kept. */
  historySize?: number;
  /** Shows output longer than the screen (a terminal only: repl/pager.ts). */
  pager?: Pager;
  /** The screen's height in lines (for the pager). */
  rows?: () => number;
  /** A clock in ms for progress redraws (default performance.now; tests pass their own). */
  now?: () => number;
}

/**
 * The line printed before the first prompt, once everything is loaded:
 * `mmlab 0.1.0: Linux 6.18 mm on a 1 GiB machine (seed 1), in process 1. Type help, or quit.`
 */
export function banner(session: Session): string {
  const m = session.backend.machine;
  const what = m === undefined
    ? `the ${session.backend.name} backend`
    : `a ${sizeText(m.config.ramBytes)} machine (seed ${m.config.seed})`;
  const preset = m?.config.preset ?? "linux-6.18";
  const era = preset.startsWith("linux-") ? `Linux ${preset.slice(6)} mm` : `mm under ${preset}`;
  const first = `mmlab ${VERSION}: ${era} on ${what}, in process ${session.pid}. ` +
    "Type help for the commands, quit to leave.";
  // The devices a person can start exploring (lspci -k, iomem), when there are any.
  const bound = m?.pci.devices.filter((d) => d.driver !== null) ?? [];
  const devs = bound.map((d) => `${d.slot} ${d.driver!.name}`).join(", ");
  const lines = [first];
  if (devs !== "") lines.push(`PCI: ${devs} (lspci -k).`);
  if (m?.pmem) lines.push("Persistent memory: /mnt/pmem (ext4 -o dax) and /dev/dax0.0 (iomem).");
  return lines.join("\n");
}

function sizeText(bytes: number): string {
  for (const [unit, shift] of [["GiB", 30], ["MiB", 20], ["KiB", 10]] as const) {
    if (bytes >= 2 ** shift && bytes % 2 ** shift === 0) return `${bytes / 2 ** shift} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** The history file: $MMLAB_HISTORY, else ~/.mmlab_history, else none. */
export function historyPath(env: (name: string) => string | undefined): string | null {
  try {
    const explicit = env("MMLAB_HISTORY");
    if (explicit !== undefined) return explicit === "" ? null : explicit;
    const home = env("HOME");
    return home ? `${home.replace(/\/$/, "")}/.mmlab_history` : null;
  } catch {
    return null;
  }
}

/** History lines, newest first, or none if the file cannot be read. */
export function loadHistory(path: string | null, size: number): string[] {
  if (path === null) return [];
  try {
    const lines = Deno.readTextFileSync(path).split("\n").filter((l) => l.trim() !== "");
    return lines.reverse().slice(0, size);
  } catch {
    return [];
  }
}

/** Writes history (newest first in memory, oldest first in the file); errors are ignored. */
export function saveHistory(path: string | null, history: readonly string[]): void {
  if (path === null) return;
  try {
    Deno.writeTextFileSync(path, [...history].reverse().join("\n") + "\n");
  } catch {
    // An unwritable HOME must not stop the REPL.
  }
}

/** Runs the interactive loop; resolves when the user leaves. */
export function startInteractive(opts: InteractiveOptions): Promise<void> {
  const { session, output, colours: c } = opts;
  const size = opts.historySize ?? 1000;
  const rl = readline.createInterface({
    input: opts.input,
    output: opts.output,
    terminal: opts.terminal,
    completer: (line: string) => complete(session, line),
    history: loadHistory(opts.historyFile, size),
    historySize: size,
    removeHistoryDuplicates: true,
    prompt: paintPrompt(session.prompt(), c),
  });
  rl.on("history", (h: string[]) => saveHistory(opts.historyFile, h));
  if (opts.terminal) installReverseSearch(rl, opts.input, output, () => rl.prompt(true));
  // Lines run one at a time, in order, even when pasted faster than they finish.
  let queue: Promise<void> = Promise.resolve();
  let quitted = false;
  const lineHistory = new LineHistory();
  let continued = "";
  // Ctrl-C while a line runs stops a long command; progress shows on a terminal.
  let running = false;
  let progressShown = false;
  let lastDraw = 0;
  const clock = opts.now ?? (() => performance.now());
  const token = new InterruptToken((what, done, total) => {
    if (!opts.terminal) return;
    const now = clock();
    if (now - lastDraw < PROGRESS_EVERY_MS) return;
    lastDraw = now;
    progressShown = true;
    output.write(`\r(${what}: ${mib(done)} of ${mib(total)})\x1b[K`);
  });
  session.interrupt = token;
  /** Output taller than the screen goes through the pager, with the terminal handed over. */
  const paged = async (lines: string[]): Promise<boolean> => {
    if (opts.pager === undefined || lines.length < (opts.rows?.() ?? 24) - 1) return false;
    const tty = opts.input as { setRawMode?: (raw: boolean) => void; isRaw?: boolean };
    const raw = tty.isRaw === true;
    rl.pause();
    if (raw) tty.setRawMode?.(false);
    try {
      return await opts.pager(lines);
    } finally {
      if (raw) tty.setRawMode?.(true);
      rl.resume();
    }
  };
  const runLine = async (typed: string) => {
    if (quitted) return;
    // An unclosed parenthesis (or brace) goes on on the next line.
    const whole = continued === "" ? typed : `${continued} ${typed.trim()}`;
    if (unclosed(whole)) {
      continued = whole;
      rl.setPrompt(CONTINUATION_PROMPT);
      rl.prompt(true);
      return;
    }
    continued = "";
    const h = lineHistory.expand(whole);
    if ("print" in h) {
      for (const l of h.print) output.write(l + "\n");
      rl.setPrompt(paintPrompt(session.prompt(), c));
      rl.prompt(true);
      return;
    }
    const line = h.line;
    if (line !== whole) output.write(line + "\n");
    token.clear();
    running = true;
    lastDraw = clock();
    const r = await session.run(line);
    running = false;
    if (progressShown) output.write("\r\x1b[K");
    progressShown = false;
    if (r.output.length === 0 && isView(line)) r.output.push(emptyViewLine(line));
    // The caret under the column, where a terminal line can show it (the error says the column).
    if (
      line === typed && r.error?.col !== undefined && r.error.kind !== "internal" &&
      r.error.col <= CARET_MAX_COL
    ) {
      output.write(`${" ".repeat(session.prompt().length + r.error.col - 1)}${c.red("^")}\n`);
    }
    const painted = r.output.map((o) => paintLine(o, c));
    if (!(await paged(painted))) { for (const o of painted) output.write(o + "\n"); }
    if (r.quit) {
      quitted = true;
      rl.close();
      return;
    }
    rl.setPrompt(paintPrompt(session.prompt(), c));
    rl.prompt(true);
  };
  rl.on("line", (line: string) => {
    // A front-end failure (a pager, the terminal) is one line; the next lines still run.
    queue = queue.then(() => runLine(line)).catch((e) => {
      running = false;
      output.write(`mmlab: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      rl.setPrompt(paintPrompt(session.prompt(), c));
      rl.prompt(true);
    });
  });
  rl.on("SIGINT", () => {
    if (running) {
      token.request();
      output.write("^C\n");
      return;
    }
    // Clear the half-typed line, as a shell does, and start afresh.
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
    output.write("^C\n");
    continued = "";
    rl.setPrompt(paintPrompt(session.prompt(), c));
    rl.prompt();
  });
  const done = new Promise<void>((resolve) => {
    rl.on("close", () => {
      // Lines already typed finish first.
      queue.then(() => {
        if (opts.terminal) output.write("\n");
        resolve();
      });
    });
  });
  output.write(banner(session) + "\n");
  rl.prompt();
  return done;
}
