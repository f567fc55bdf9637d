/**
 * `help` and `help NAME`: the command list, one command's synopsis, long
 * help and example (run for real in a scratch machine), or a constant.
 * @module
 */

import { PLANNED_KNOBS } from "../../mod.ts";
import { CONSTANTS, constantsOf, KIND_FAMILIES } from "../constants.ts";
import { ReplError } from "../errors.ts";
import { formatValue } from "../format.ts";
import { didYouMean } from "../suggest.ts";
import { constantSource, errnoHelp, errnoNames, vmFlagHelp } from "../help_names.ts";
import { type Command, type CommandContext, type CommandGroup, synopsis } from "./types.ts";
import { viewRecord } from "../json_result.ts";

const GROUPS: ReadonlyArray<readonly [CommandGroup, string]> = [
  ["syscall", "System calls (results as strace prints them):"],
  ["library", "Library calls (libibverbs; the syscalls they make print first):"],
  ["memory", "CPU accesses by the current process:"],
  ["view", "Views:"],
  ["device", "Devices (PCI hardware, driver binding, faults):"],
  ["session", "Session:"],
];

/** The command language in brief: `help syntax`. */
export const SYNTAX_HELP: readonly string[] = [
  "Commands are the C calls a person would write, with Linux constant names:",
  "  a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  "Numbers: 4096, 0x1000, 0644 (C octal), 0b101, 'A', sizes 16K 2M 1G 1T.",
  "Operators as in C: | ^ & == != < <= > >= << >> + - * / % with C's precedence,",
  "unary - ~, parentheses; comparisons give 1 or 0 (signed, as C's long). Values",
  "are 64-bit; -1 passed to a call is 0xffffffffffffffff; a constant of 2^64 or",
  "more is refused. Parentheses, calls and structs nest up to 256 deep.",
  'Strings "..." with C escapes (\\n \\0 \\x41) for path and buf arguments.',
  "Structs as strace prints them, for an ioctl's struct argument: {field=value, ...},",
  "nested {range={start=a, len=16K}}, values are expressions (FLAG_A|FLAG_B);",
  "fields left out are 0; an int passed by pointer is [value]. What the kernel wrote back follows the result:",
  "= 0 {fsx_xflags=0, ...} (strace's `=> {...}` part, the call being on your line).",
  "Variables: name = expression or name = call(...); a call that fails gives -1.",
  "A bare expression prints its value. Unknown names are errors.",
  "@PID command runs one command in process PID (a number or a variable, @c);",
  "a bare @PID switches to it. The prompt shows the current pid: [1] mm>.",
  "Threads: @TID (tids share the pid space) or @PID.TID; in a thread that is not",
  "its process's main one the prompt shows both: [1.2] mm>. A call that blocks",
  "prints <unfinished ...> (thread 2 sleeps in hrtimer_nanosleep) and the prompt",
  "comes back; sleep/wait let virtual time pass, and its end prints as",
  "[pid 2] <... nanosleep resumed> = 0.",
  "# starts a comment. Results: = 0x7f... (addresses), = 0, = -1 EINVAL (Invalid",
  "argument); faults: --- SIGSEGV {si_signo=SIGSEGV, si_code=..., si_addr=...} ---;",
  "a death: +++ killed by SIGSEGV (core dumped) +++ or +++ exited with 0 +++.",
  "Batch mode (a FILE, or stdin not a terminal) echoes each command after its",
  "prompt, then its output; blank lines and # comment lines are echoed as they",
  "are; a malformed line prints FILE:LINE:COL: error: ... and the run goes on,",
  "ending with exit status 1.",
  "_ is the last value printed, errno the error number of the last call that failed.",
  "A command's output can be filtered: smaps | grep Rss, maps | grep -v lib | head 3,",
  "dmesg | tail 5 (grep takes -v and -i and a JavaScript regular expression).",
  "At the prompt: history lists the lines typed, !! and !N run one again, Ctrl-R",
  "searches them; a line with an unclosed ( goes on at a ...> prompt; Ctrl-C stops",
  "a long memset; output taller than the screen goes through $PAGER (less -FRX).",
];

/** Longer synopses push their summary right instead of widening the column. */
const SYNOPSIS_WIDTH = 36;

function overview(ctx: CommandContext): string[] {
  const out: string[] = [];
  const all = [...ctx.commands.values()];
  for (const [group, title] of GROUPS) {
    out.push(title);
    const cmds = all.filter((c) => c.group === group);
    const width = Math.min(SYNOPSIS_WIDTH, Math.max(...cmds.map((c) => synopsis(c).length)));
    for (const c of cmds) {
      const syn = synopsis(c);
      if (syn.length <= width) out.push(`  ${syn.padEnd(width)}  ${c.summary}`);
      else out.push(`  ${syn}`, `  ${"".padEnd(width)}  ${c.summary}`);
    }
  }
  out.push("Type help NAME for one command with an example, help syntax for the language.");
  return out;
}

/** The text of `help NAME` for a command. */
export async function commandHelp(c: Command, ctx: CommandContext): Promise<string[]> {
  const out = [synopsis(c), `  ${c.summary}`];
  for (const line of c.help.split("\n")) out.push(`  ${line}`);
  if (c.args.length > 0) out.push("Arguments:");
  for (const a of c.args) {
    const optional = a.optional && !a.text.includes("default") ? " (may be left out)" : "";
    let line = `  ${a.name}: ${a.text}${optional}`;
    const fams = a.kind === undefined || a.kind === "addr" ? undefined : KIND_FAMILIES[a.kind];
    if (fams !== undefined) line += `: ${constantsOf(fams).map((k) => k.name).join(" ")}`;
    out.push(line);
  }
  if (c.flags !== undefined && c.flags.length > 0) out.push("Options:");
  for (const f of c.flags ?? []) out.push(`  ${f.name}: ${f.text}`);
  out.push("Example:");
  for (const line of await ctx.transcript(c.example)) out.push(`  ${line}`);
  return out;
}

/** The `help` command. */
export const HELP_COMMAND: Command = {
  name: "help",
  form: "word",
  group: "session",
  args: [{
    name: "NAME",
    accepts: "word",
    optional: true,
    text: "a command, a constant, or syntax",
    complete: () => [], // filled in by the registry (it knows every name)
  }],
  summary: "list the commands, or explain one",
  help: "help NAME shows a command's arguments, what it prints, and an example run\n" +
    "on a fresh machine; help PROT_READ shows a constant (and its header and man page),\n" +
    "help EFAULT an errno, help pf a VmFlags mnemonic; help syntax the language.",
  example: ["help mprotect"],
  needsProcess: false,
  async run(ctx, [name]) {
    if (name === undefined || name.type !== "word") {
      ctx.record?.(viewRecord("help", {
        topic: null,
        commands: [...ctx.commands.values()].map((c) => ({
          name: c.name,
          group: c.group,
          synopsis: synopsis(c),
          summary: c.summary,
        })),
      }));
      ctx.out.push(...overview(ctx));
      return undefined;
    }
    if (name.text === "syntax") {
      ctx.record?.(viewRecord("help", { topic: "syntax", lines: SYNTAX_HELP }));
      ctx.out.push(...SYNTAX_HELP);
      return undefined;
    }
    const c = ctx.commands.get(name.text);
    if (c !== undefined) {
      const text = await commandHelp(c, ctx);
      ctx.record?.(viewRecord("help", {
        topic: c.name,
        command: {
          name: c.name,
          form: c.form,
          group: c.group,
          synopsis: synopsis(c),
          summary: c.summary,
          help: c.help.split("\n"),
          args: c.args.map((a) => ({
            name: a.name,
            accepts: a.accepts,
            optional: a.optional ?? false,
            variadic: a.variadic ?? false,
            text: a.text,
          })),
          flags: (c.flags ?? []).map((f) => ({ name: f.name, text: f.text })),
          example: c.example,
          // The example as it ran on a fresh machine (prompt and line, then its output).
          transcript: text.slice(text.indexOf("Example:") + 1).map((l) => l.slice(2)),
        },
      }));
      ctx.out.push(...text);
      return undefined;
    }
    const k = CONSTANTS.get(name.text);
    if (k !== undefined) {
      const src = constantSource(k.name);
      const family = [...CONSTANTS.values()].filter((o) =>
        o.family === k.family && o.family !== ""
      );
      ctx.record?.(viewRecord("help", {
        topic: k.name,
        constant: {
          name: k.name,
          value: k.value,
          source: src?.source ?? null,
          man: src?.man ?? null,
          policy: k.policy ?? null,
          family: family.length > 1 ? family.map((o) => o.name) : [],
        },
      }));
      ctx.out.push(`${k.name} = ${formatValue(k.value)}`);
      if (src !== undefined) ctx.out.push(`  ${src.source}; ${src.man}`);
      if (k.policy) {
        const planned = Object.hasOwn(PLANNED_KNOBS, k.policy.knob)
          ? (PLANNED_KNOBS as Record<string, { issue: number }>)[k.policy.knob]
          : undefined;
        ctx.out.push(
          `  only under policy ${k.policy.knob} = ${k.policy.value}` +
            (planned ? ` (planned for issue ${planned.issue})` : ""),
        );
      }
      const same = [...CONSTANTS.values()].filter((o) => o.family === k.family && o.family !== "");
      if (same.length > 1) ctx.out.push(`  family: ${same.map((o) => o.name).join(" ")}`);
      return undefined;
    }
    const named = errnoHelp(name.text) ?? vmFlagHelp(name.text);
    if (named !== undefined) {
      ctx.record?.(viewRecord("help", { topic: name.text, lines: named }));
      ctx.out.push(...named);
      return undefined;
    }
    throw new ReplError(
      `no help for ${name.text}`,
      name.col,
      didYouMean(name.text, [
        ...ctx.commands.keys(),
        ...CONSTANTS.keys(),
        ...errnoNames(),
        "syntax",
      ]) ??
        "help lists the commands",
      "name",
    );
  },
};
