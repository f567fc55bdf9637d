/**
 * `deno task web [--port N] [--seed N] [--ram SIZE] [--preset NAME] [--pci FILE|default]
 * [--replay FILE]`: the web view. Serves one page on 127.0.0.1 that draws
 * the machine one REPL session drives and runs REPL commands in it; with
 * --replay, steps through a transcript or lab (next / previous). Prints the
 * address to open; port 0 (the default) takes a free port.
 * @module
 */

import { Command } from "commander";
import { PLAIN_OUTPUT } from "../repl/cli_output.ts";
import { type MachineConfig, parsePciConfig } from "../mod.ts";
import {
  parsePresetText,
  parseRamText,
  parseSeedText,
  SettingError,
} from "../repl/machine_text.ts";
import { TranscriptError } from "../repl/transcript/format.ts";
import { WebApp } from "./app.ts";

const USAGE = "usage: deno task web [--port N] [--seed N] [--ram SIZE] [--preset NAME] " +
  "[--pci FILE|default] [--replay FILE]";

function fail(msg: string): never {
  console.error(`mmlab web: ${msg}`);
  console.error(USAGE);
  Deno.exit(2);
}

function main(): void {
  // commander, as every task parses its arguments.
  let problem = "";
  const program = new Command()
    .name("web")
    .option("--port <n>", "the port on 127.0.0.1 (0: a free one)", "0")
    .option("--seed <n>", "seed of the machine's generator")
    .option("--ram <size>", "physical memory, e.g. 512M, 1G")
    .option("--preset <name>", "kernel era or RFC preset")
    .option("--pci <file>", "the PCI topology (a file, or default)")
    .option("--replay <file>", "step through a transcript or lab")
    .helpOption(false)
    .option("-h, --help", "this usage")
    .exitOverride()
    .configureOutput({ ...PLAIN_OUTPUT, writeOut: () => {}, writeErr: (t) => (problem += t) });
  try {
    program.parse(Deno.args, { from: "user" });
  } catch (e) {
    fail(problem.trim().replace(/^error: /, "") || (e instanceof Error ? e.message : String(e)));
  }
  const args = program.opts<{
    port: string;
    seed?: string;
    ram?: string;
    preset?: string;
    pci?: string;
    replay?: string;
    help?: boolean;
  }>();
  if (program.args.length > 0) fail(`unexpected argument ${program.args[0]}`);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${args.port}: 0 to 65535`);
  const config: MachineConfig = {};
  try {
    if (args.seed !== undefined) config.seed = parseSeedText(args.seed);
    if (args.ram !== undefined) config.ramBytes = parseRamText(args.ram);
    if (args.preset !== undefined) config.preset = parsePresetText(args.preset);
  } catch (e) {
    if (e instanceof SettingError) fail(e.message);
    throw e;
  }
  if (args.pci === "default") config.pci = "default";
  else if (args.pci !== undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(args.pci);
    } catch (e) {
      fail(`--pci ${args.pci}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const pci = parsePciConfig(text, args.pci);
    if ("error" in pci) fail(pci.error);
    config.pci = pci;
  }
  let app: WebApp;
  try {
    let replay: { file: string; text: string } | undefined;
    if (args.replay !== undefined) {
      try {
        replay = { file: args.replay, text: Deno.readTextFileSync(args.replay) };
      } catch (e) {
        fail(`cannot read ${args.replay}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    app = new WebApp({ config, replay });
  } catch (e) {
    if (e instanceof TranscriptError) fail(`${args.replay}:${e.line}: ${e.message}`);
    fail(e instanceof Error ? e.message : String(e));
  }
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ hostname, port }) => {
      console.log(`mmlab web view on http://${hostname}:${port}/`);
    },
  }, (req) => app.handle(req));
}

if (import.meta.main) main();
