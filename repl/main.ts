/**
 * The mmlab command line:
 *
 * ```
 * deno task repl [FILE | -i FILE] [--seed N] [--ram SIZE] [--preset NAME] [--policy knob=value ...] [--record OUT]
 * deno task repl --check-host FILE
 * ```
 *
 * With a FILE (or `-`), or when stdin is not a terminal, runs the lines as a
 * batch and prints a transcript; otherwise starts the interactive REPL.
 * @module
 */

import { fileErrorText } from "./os_error.ts";
import { Command, InvalidArgumentError } from "commander";
import { PLAIN_OUTPUT } from "./cli_output.ts";
import process from "node:process";
import { type MachineConfig, parsePciConfig } from "../mod.ts";
import { runBatch, splitLines, streamLines } from "./batch.ts";
import { colours, paintLine, paintPrompt } from "./colour.ts";
import { historyPath, startInteractive } from "./interactive.ts";
import { Session } from "./session.ts";
import { FileRecording } from "./record_file.ts";
import { commandPager, type Pager, pagerArgv } from "./pager.ts";
import {
  parsePolicyText,
  parsePresetText,
  parseRamText,
  parseSeedText,
  SettingError,
} from "./machine_text.ts";

/** Commander's form of a shared setting parser (repl/machine_text.ts). */
function flag<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      if (e instanceof SettingError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

function collectPolicy(text: string, prev?: Record<string, string>): Record<string, string> {
  const acc: Record<string, string> = { ...prev };
  for (const item of text.split(",")) {
    const [knob, value] = flag(parsePolicyText)(item);
    acc[knob] = value;
  }
  return acc;
}

interface CliOptions {
  seed?: number;
  ram?: number;
  preset?: string;
  policy?: Record<string, string>;
  checkHost?: string;
  record?: string;
  /** --pci FILE: the PCI topology (lib/pci/config_file.ts). */
  pci?: string;
  /** -i FILE: run FILE, then stay interactive (python -i, crash -i). */
  interactive?: string;
  /** --jsonl: a batch prints one JSON object per command line. */
  jsonl?: boolean;
}

/**
 * --check-host FILE: FILE on mmlab and on the host kernel, the first
 * difference shown (repl/host/check.ts). Needs permission to run gcc and
 * the host program.
 */
async function checkHostMain(file: string, o: CliOptions): Promise<number> {
  let run = await Deno.permissions.query({ name: "run" });
  if (run.state === "prompt") run = await Deno.permissions.request({ name: "run" });
  if (run.state !== "granted") {
    console.error(
      "mmlab: --check-host builds and runs a program on the host kernel, which needs " +
        "--allow-run:\n  npx -y deno@2.9.6 run -A repl/main.ts --check-host FILE",
    );
    return 2;
  }
  const { checkHost } = await import("./host/check.ts");
  const out = writer();
  const config: MachineConfig = {
    seed: o.seed,
    ramBytes: o.ram,
    preset: o.preset,
    policies: o.policy as MachineConfig["policies"],
  };
  try {
    return await checkHost(file, { out, err: (l) => console.error(l) }, { config });
  } catch (e) {
    console.error(`mmlab: --check-host: ${e instanceof Error ? e.message : e}`);
    return 2;
  }
}

/** Builds the session from the options, or prints why it can't and exits 2. */
function makeSession(o: CliOptions): Session {
  const config: MachineConfig = {
    seed: o.seed,
    ramBytes: o.ram,
    preset: o.preset,
    policies: o.policy as MachineConfig["policies"],
  };
  if (o.pci !== undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(o.pci);
    } catch (e) {
      console.error(`mmlab: --pci ${o.pci}: ${e instanceof Error ? e.message : String(e)}`);
      Deno.exit(2);
    }
    const pci = parsePciConfig(text, o.pci);
    if ("error" in pci) {
      console.error(pci.error);
      Deno.exit(2);
    }
    config.pci = pci;
  }
  try {
    return new Session({ config });
  } catch (e) {
    console.error(`mmlab: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(2);
  }
}

/**
 * Why `file` cannot be read as command lines (missing, a directory, not
 * permitted), in a few words, or null when it can be opened.
 */
function unreadable(file: string): string | null {
  try {
    if (Deno.statSync(file).isDirectory) return "it is a directory (give a file of command lines)";
    Deno.openSync(file).close();
    return null;
  } catch (e) {
    return fileErrorText(e);
  }
}

/** A pager when stdout is a terminal (repl/pager.ts), else none. */
function pagerOptions(): { pager?: Pager; rows?: () => number } {
  if (!Deno.stdout.isTerminal()) return {};
  const argv = pagerArgv((n) => Deno.env.get(n));
  if (argv === null) return {};
  const rows = () => {
    try {
      return Deno.consoleSize().rows;
    } catch {
      return 24;
    }
  };
  return { pager: commandPager(argv), rows };
}

/** Writes a line to stdout; a closed pipe (| head) ends the program quietly. */
function writer(): (line: string) => void {
  const enc = new TextEncoder();
  return (line: string) => {
    const bytes = enc.encode(line + "\n");
    try {
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) Deno.exit(0);
      throw e;
    }
  };
}

async function main(file: string | undefined, o: CliOptions): Promise<number> {
  const session = makeSession(o);
  const recording = new FileRecording(session);
  if (o.record !== undefined) {
    const msg = recording.start(o.record);
    if (!msg.startsWith("recording")) {
      console.error(`mmlab: ${msg}`);
      return 2;
    }
  }
  const c = colours(Deno.stdout.isTerminal());
  if (o.interactive !== undefined) {
    if (file !== undefined) {
      console.error("mmlab: give either FILE or -i FILE, not both");
      return 2;
    }
    const why = unreadable(o.interactive);
    if (why !== null) {
      console.error(`mmlab: cannot read ${o.interactive}: ${why}`);
      return 2;
    }
    const r = await runBatch(splitLines(Deno.readTextFileSync(o.interactive)), {
      session,
      source: o.interactive,
      write: writer(),
      paint: { prompt: (p) => paintPrompt(p, c), line: (l) => paintLine(l, c) },
    });
    // A quit in the file ends the run there, as it does in a batch.
    if (r.quit) return r.status;
  }
  const batch = o.interactive === undefined && (file !== undefined || !Deno.stdin.isTerminal());
  if (!batch) {
    await startInteractive({
      session,
      input: process.stdin,
      output: process.stdout,
      terminal: Deno.stdout.isTerminal(),
      historyFile: historyPath((n) => Deno.env.get(n)),
      colours: c,
      ...pagerOptions(),
    });
    return 0;
  }
  let lines: AsyncIterable<string>;
  let source = "<stdin>";
  if (file === undefined || file === "-") lines = streamLines(Deno.stdin.readable);
  else {
    source = file;
    const why = unreadable(file);
    if (why !== null) {
      console.error(`mmlab: cannot read ${file}: ${why}`);
      return 2;
    }
    lines = streamLines((await Deno.open(file)).readable);
  }
  const r = await runBatch(lines, {
    session,
    source,
    write: writer(),
    jsonl: o.jsonl === true,
    paint: { prompt: (p) => paintPrompt(p, c), line: (l) => paintLine(l, c) },
  });
  return r.status;
}

if (import.meta.main) {
  const program = new Command()
    .configureOutput(PLAIN_OUTPUT)
    .name("mmlab")
    .description("An emulated Linux machine's memory management, as a REPL.")
    .argument("[file]", "run the command lines of FILE (- for stdin) and print a transcript")
    .option("--seed <n>", "seed of the machine's generator (0 to 4294967295)", flag(parseSeedText))
    .option("--ram <size>", "physical memory, e.g. 512M, 1G (1M to 64G)", flag(parseRamText))
    .option(
      "--preset <name>",
      "kernel era (linux-2.6 to linux-6.18) or RFC preset",
      flag(parsePresetText),
    )
    .option(
      "--record <file>",
      "record the session as a transcript (npx -y deno@2.9.6 task replay verifies it)",
    )
    .option(
      "--policy <knob=value>",
      "set a policy knob (repeatable, or comma-separated)",
      collectPolicy,
    )
    .option("-i, --interactive <file>", "run the command lines of FILE, then stay interactive")
    .option("--jsonl", "batch: print one JSON object per command line (repl/json_result.ts)")
    .option("--pci <file>", "the PCI topology, one node a line (lib/pci/config_file.ts)")
    .option(
      "--check-host <file>",
      "run FILE on mmlab and on the host kernel; show the first difference",
    )
    .exitOverride((err) => {
      // Usage errors exit 2; 1 is for malformed command lines in a batch.
      Deno.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (file: string | undefined, opts: CliOptions) => {
      if (opts.checkHost !== undefined) Deno.exit(await checkHostMain(opts.checkHost, opts));
      Deno.exit(await main(file, opts));
    });
  await program.parseAsync(Deno.args, { from: "user" });
}
