/**
 * Tab completion from the command declarations: command names at the start
 * of a line, word arguments from each command's completer (policy knobs and
 * values, help topics), and inside a call the constants of the argument's
 * family (PROT_* for mmap's prot) plus the variables.
 * @module
 */

import { COMMANDS } from "./commands/index.ts";
import { CONSTANTS, KIND_FAMILIES } from "./constants.ts";
import type { Session } from "./session.ts";

/** Candidates and the text they replace, as node:readline's completer returns. */
export type Completion = [string[], string];

/**
 * The identifier the text ends with ([A-Za-z_][A-Za-z0-9_]*), or null. A
 * backward scan: the regex /[A-Za-z_]\w*$/ retries at every position of a
 * long word that does not reach the end, quadratic in a 1 MB string.
 */
function identTail(text: string): string | null {
  let i = text.length;
  while (i > 0 && /\w/.test(text[i - 1])) i--;
  // The longest suffix of word characters that starts with a letter or _.
  while (i < text.length && /[0-9]/.test(text[i])) i++;
  return i < text.length ? text.slice(i) : null;
}

/** Completes the end of `line`. */
export function complete(session: Session, line: string): Completion {
  const at = /^\s*@(\w*)$/.exec(line);
  if (at) {
    const live = [...session.machine.procs.values()].filter((p) => p.alive);
    // Processes, then the threads that are not a process's main one (@TID).
    const pids = [
      ...live.map((p) => `@${p.pid}`),
      ...live.flatMap((p) => p.liveThreads.filter((t) => !t.leader).map((t) => `@${t.tid}`)),
    ];
    const vars = [...session.vars.keys()].map((v) => `@${v}`);
    return filter([...pids, ...vars], `@${at[1]}`);
  }
  const rest = line.replace(/^\s*@[\w.]+\s+/, "");
  const first = /^\s*([A-Za-z_][\w-]*)(\s+)(.*)$/.exec(rest);
  if (first) {
    const cmd = COMMANDS.get(first[1]);
    if (cmd !== undefined && cmd.form === "word") return wordArg(session, cmd.name, first[3]);
  }
  // A hyphenated word command being typed (`device-b`).
  if (/^\s*[A-Za-z_]\w*-[\w-]*$/.test(rest)) {
    const hits = filter([...COMMANDS.keys()], rest.trimStart());
    if (hits[0].length > 0) return hits;
  }
  if (/^\s*[A-Za-z_]?\w*$/.test(rest)) {
    const prefix = rest.trimStart();
    const cmds = [...COMMANDS.values()].map((c) => (c.form === "call" ? `${c.name}(` : c.name));
    const values = prefix === "" ? [...session.vars.keys()] : session.valueNames();
    return filter([...cmds, ...values], prefix);
  }
  return expression(session, rest);
}

function filter(names: Iterable<string>, prefix: string): Completion {
  const hits = [...new Set(names)].filter((n) => n.startsWith(prefix)).sort();
  return [hits, prefix];
}

function wordArg(session: Session, name: string, args: string): Completion {
  const cmd = COMMANDS.get(name)!;
  const words = args.split(/\s+/);
  const partial = words.pop() ?? "";
  if (partial.startsWith("--")) return filter((cmd.flags ?? []).map((f) => f.name), partial);
  const decl = cmd.args[Math.min(words.length, cmd.args.length - 1)];
  if (decl === undefined || words.length >= cmd.args.length && !decl.variadic) return [[], partial];
  if (decl.accepts === "word") {
    return filter(decl.complete?.({ machine: session.machine }, words) ?? [], partial);
  }
  return filter(session.valueNames(), identTail(args) ?? "");
}

/**
 * The identifier that ends (blanks allowed) just before position `end`, or
 * "": a backward scan that stops at the first character of another kind,
 * so a line of many parentheses costs time linear in its length.
 */
function nameBefore(text: string, end: number): string {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  const stop = i;
  while (i > 0 && /\w/.test(text[i - 1])) i--;
  const name = text.slice(i, stop);
  return /^[A-Za-z_]/.test(name) ? name : "";
}

/** Inside an expression: which call and argument is the cursor in? */
function enclosing(text: string): { call: string; index: number } | null {
  const stack: { call: string; index: number }[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "(") stack.push({ call: nameBefore(text, i), index: 0 });
    else if (c === ")") stack.pop();
    else if (c === "," && stack.length > 0) stack[stack.length - 1].index++;
  }
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i].call !== "") return stack[i];
  return null;
}

function expression(session: Session, text: string): Completion {
  const m = identTail(text);
  const prefix = m ?? "";
  if (m !== null && /[0-9]/.test(text[text.length - prefix.length - 1] ?? "")) return [[], prefix];
  const where = enclosing(text);
  const decl = where ? COMMANDS.get(where.call)?.args : undefined;
  const arg = decl?.[Math.min(where!.index, decl.length - 1)];
  const families = arg?.kind ? KIND_FAMILIES[arg.kind] : undefined;
  const usable = new Set(session.valueNames());
  const family = [...CONSTANTS.values()]
    .filter((c) => families?.includes(c.family) && usable.has(c.name))
    .map((c) => c.name);
  const first = filter([...family, ...session.vars.keys()], prefix);
  if (first[0].length > 0 || prefix === "") return first;
  const calls = [...COMMANDS.values()].filter((c) => c.form === "call").map((c) => `${c.name}(`);
  return filter([...session.valueNames(), ...calls], prefix);
}
