/**
 * The command registry: every declared command by name, and the shapes
 * the parser needs for word commands.
 * @module
 */

import type { ArgShape } from "../parser.ts";
import { CONSTANTS } from "../constants.ts";
import { HELP_COMMAND } from "./help.ts";
import { errnoNames, VM_FLAG_NAMES } from "../help_names.ts";
import { MEMORY_COMMANDS } from "./memory.ts";
import { PIN_COMMANDS } from "./pins.ts";
import { DMA_COMMANDS } from "./dma.ts";
import { SYSCTL_COMMAND } from "./sysctl.ts";
import { POLICY_COMMAND } from "./policy.ts";
import { SESSION_COMMANDS } from "./session_cmds.ts";
import { SNAPSHOT_COMMANDS } from "./snapshot.ts";
import { SYSCALL_COMMANDS } from "./syscalls.ts";
import { THREAD_COMMANDS } from "./threads.ts";
import type { Command } from "./types.ts";
import { VIEW_COMMANDS } from "./views.ts";
import { FRAMES_COMMAND, VMMAP_COMMAND, withDraw } from "./pictures.ts";
import { VERBS_COMMANDS } from "./verbs.ts";
import { DEVICE_COMMANDS } from "./devices.ts";
import { HMM_COMMANDS } from "./hmm.ts";
import { MR_ACCESS } from "./odp.ts";
import { TRACE_COMMANDS } from "./trace.ts";
import { VFIO_COMMAND } from "./vfio.ts";

const help: Command = {
  ...HELP_COMMAND,
  args: [{
    ...HELP_COMMAND.args[0],
    complete: () => [
      ...COMMANDS.keys(),
      "syntax",
      ...CONSTANTS.keys(),
      ...errnoNames(),
      ...VM_FLAG_NAMES.keys(),
    ],
  }],
};

/** Every command, by name, in help order. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map(
  [
    ...SYSCALL_COMMANDS,
    ...THREAD_COMMANDS,
    ...VERBS_COMMANDS,
    ...MEMORY_COMMANDS,
    ...PIN_COMMANDS,
    ...DMA_COMMANDS,
    ...VIEW_COMMANDS.map((c) => (c.name === "maps" ? withDraw(c) : c)),
    VMMAP_COMMAND,
    FRAMES_COMMAND,
    ...DEVICE_COMMANDS,
    ...HMM_COMMANDS,
    MR_ACCESS,
    ...TRACE_COMMANDS,
    VFIO_COMMAND,
    POLICY_COMMAND,
    SYSCTL_COMMAND,
    help,
    ...SESSION_COMMANDS,
    ...SNAPSHOT_COMMANDS,
  ].map((c) => [c.name, c]),
);

/** The argument shapes of a word command, for the parser. */
export function wordShape(name: string): readonly ArgShape[] | undefined {
  const c = COMMANDS.get(name);
  if (c === undefined || c.form !== "word") return undefined;
  return [
    ...c.args.map((a): ArgShape => ({
      name: a.name,
      kind: a.accepts === "word" ? "word" : "expr",
      optional: a.optional,
      variadic: a.variadic,
    })),
    ...(c.flags ?? []).map((f): ArgShape => ({ name: f.name, kind: "flag", optional: true })),
  ];
}
