/**
 * Ctrl-R, bash's reverse incremental search, over the REPL's history
 * (node:readline in Deno has none). While searching, readline's own key
 * handling is set aside: typed characters narrow the search, Ctrl-R again
 * finds an older match, Backspace widens it, Enter runs the match, Esc or
 * Ctrl-G gives the line back as it was, and any other key (an arrow, Tab)
 * leaves the match on the line for editing.
 * @module
 */

import type { Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";

type Key = { name?: string; ctrl?: boolean; meta?: boolean; sequence?: string };
type KeyListener = (s: string | undefined, key: Key | undefined) => void;

/** Installs Ctrl-R on an interface whose input emits keypress events (a terminal). */
export function installReverseSearch(
  rl: Interface,
  input: Readable,
  output: Writable,
  redraw: () => void,
): void {
  const history = () => (rl as unknown as { history: string[] }).history ?? [];
  let saved: KeyListener[] | null = null;
  let query = "";
  let from = 0;
  let match: { line: string; at: number } | null = null;
  let before = "";

  const find = (start: number) => {
    const h = history();
    for (let i = start; i < h.length; i++) {
      if (h[i].includes(query)) return { line: h[i], at: i };
    }
    return null;
  };
  const show = () => {
    const failing = match === null && query !== "" ? "failed " : "";
    output.write(`\r\x1b[K(${failing}reverse-i-search)'${query}': ${match?.line ?? ""}`);
  };
  const finish = (line: string, run: boolean) => {
    input.removeListener("keypress", searching);
    for (const l of saved ?? []) input.on("keypress", l);
    saved = null;
    output.write("\r\x1b[K");
    redraw();
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
    rl.write(line);
    if (run) rl.write("\r");
  };
  const searching: KeyListener = (s, key) => {
    if (key?.ctrl && key.name === "r") {
      const next = find((match?.at ?? -1) + 1);
      if (next !== null) match = next;
    } else if (key?.name === "return" || key?.name === "enter") {
      return finish(match?.line ?? before, true);
    } else if (key?.name === "escape" || (key?.ctrl && key.name === "g")) {
      return finish(before, false);
    } else if (key?.name === "backspace") {
      query = query.slice(0, -1);
      match = query === "" ? null : find(from);
    } else if (s !== undefined && s.length === 1 && s >= " " && !key?.ctrl && !key?.meta) {
      query += s;
      match = find(match?.at ?? from);
    } else return finish(match?.line ?? before, false);
    show();
  };
  input.on("keypress", (_s: string | undefined, key: Key | undefined) => {
    if (saved !== null || !key?.ctrl || key.name !== "r") return;
    before = rl.line;
    query = "";
    from = 0;
    match = null;
    saved = (input.listeners("keypress") as KeyListener[]).filter((l) => l !== searching);
    for (const l of saved) input.removeListener("keypress", l);
    input.on("keypress", searching);
    show();
  });
}
