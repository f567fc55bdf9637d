/**
 * `CMD --json` for a command without a `--json` of its own: the session
 * runs CMD and prints its result as JSON (repl/json_result.ts). Apart from
 * json_result.ts so that the commands, which import that, do not import
 * the command registry back.
 * @module
 */

import { COMMANDS } from "./commands/index.ts";

const JSON_TAIL = /\s--json\s*$/;

/**
 * `LINE --json` for a command without a `--json` of its own: LINE, to run
 * and print as JSON; else undefined (the command prints its JSON itself).
 */
export function stripJsonFlag(line: string): string | undefined {
  if (!JSON_TAIL.test(line)) return undefined;
  const bare = line.replace(JSON_TAIL, "");
  // The command the line names (after @TARGET and NAME =), even if the rest is malformed.
  const name = /^\s*(?:@\S+\s+)?(?:\w+\s*=\s*)?([\w-]+)/.exec(bare)?.[1] ?? "";
  if (COMMANDS.get(name)?.flags?.some((f) => f.name === "--json")) return undefined;
  return bare;
}
