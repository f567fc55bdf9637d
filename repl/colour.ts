/**
 * Colour for the terminal, through picocolors only: the prompt, and output
 * lines by their form (errors, signals, deaths, failed calls). Off when
 * NO_COLOR is set or the output is not a terminal (unless FORCE_COLOR).
 * @module
 */

import pc from "picocolors";

/** picocolors' formatter set. */
export type Colours = ReturnType<typeof pc.createColors>;

/** Colours on or off for an output stream. */
export function colours(isTerminal: boolean): Colours {
  const force = Deno.env.get("FORCE_COLOR");
  const enabled = pc.isColorSupported && (isTerminal || (force !== undefined && force !== "0"));
  return pc.createColors(enabled);
}

/** The prompt `[1] mm> ` with the pid highlighted. */
export function paintPrompt(prompt: string, c: Colours): string {
  const m = /^\[(\d+(?:\.\d+)?)\] (.*)$/.exec(prompt);
  return m ? `${c.dim("[")}${c.cyan(m[1])}${c.dim("]")} ${c.bold(m[2])}` : prompt;
}

/** One output line, coloured by what it is. */
export function paintLine(line: string, c: Colours): string {
  if (line.startsWith("internal error")) return c.bold(c.red(line));
  if (/^(\S+:\d+:\d+: )?error\b/.test(line)) return c.red(line);
  if (/^(\[pid \d+\] )?--- /.test(line)) return c.yellow(line);
  if (/^(\[pid \d+\] )?\+\+\+ /.test(line)) return c.magenta(line);
  if (line.startsWith("= -1 E")) return c.red(line);
  if (line.startsWith("= ")) return c.green(line);
  if (/^(now in (process|thread)|no process is left|\(\w+ stopped after)/.test(line)) {
    return c.dim(line);
  }
  return line;
}
