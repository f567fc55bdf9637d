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

/** A row of a vmmap or frames picture: an address or frame number, two blanks, letters. */
const PICTURE_ROW = /^([0-9a-f]{5,12} {2})([A-Za-z.~]+)$/;
/** The marks row under a vmmap picture. */
const MARKS_ROW = /^( {14})([P!wm ]+)$/;

/**
 * A run of one letter of a picture (lib/proc/vmmap.ts, lib/proc/frames_view.ts legends),
 * bold when upper case (a page present, a frame mapped).
 */
function paintCell(run: string, c: Colours): string {
  const ch = /[A-OQ-Z]/.test(run[0]) ? c.bold(run) : run;
  switch (run[0].toLowerCase()) {
    case ".":
    case "~":
      return c.dim(ch);
    case "a":
      return c.green(ch);
    case "f":
      return c.blue(ch);
    case "s":
      return c.cyan(ch);
    case "h":
      return c.yellow(ch);
    case "k":
      return c.magenta(ch);
    case "g":
    case "z":
      return c.gray(ch);
    case "u":
    case "w":
    case "m":
    case "!":
      return c.red(ch);
    case "d":
    case "x":
      return c.yellow(c.bold(ch));
    case "p":
      return c.bold(c.red(ch));
  }
  return ch;
}

/** A picture row with each letter coloured, or null if the line is not one. */
function paintPicture(line: string, c: Colours): string | null {
  const m = PICTURE_ROW.exec(line) ?? MARKS_ROW.exec(line);
  if (m === null) return null;
  let out = m[1];
  let i = 0;
  const s = m[2];
  while (i < s.length) {
    // Runs of one letter share one escape sequence.
    let j = i + 1;
    while (j < s.length && s[j] === s[i]) j++;
    const run = s.slice(i, j);
    out += run[0] === " " ? run : paintCell(run, c);
    i = j;
  }
  return out;
}

/** One output line, coloured by what it is. */
export function paintLine(line: string, c: Colours): string {
  const picture = paintPicture(line, c);
  if (picture !== null) return picture;
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
