/**
 * `deno task web [--port N] [--seed N] [--ram SIZE] [--preset NAME] [--pci FILE|default]
 * [--replay FILE]`: the web view. Serves one page on 127.0.0.1 that draws
 * the machine one REPL session drives and runs REPL commands in it; with
 * --replay, steps through a transcript or lab (next / previous). Prints the
 * address to open; port 0 (the default) takes a free port.
 * @module
 */

import { parseArgs } from "node:util";
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
  let args;
  try {
    args = parseArgs({
      args: Deno.args,
      options: {
        port: { type: "string", default: "0" },
        seed: { type: "string" },
        ram: { type: "string" },
        preset: { type: "string" },
        pci: { type: "string" },
        replay: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
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
