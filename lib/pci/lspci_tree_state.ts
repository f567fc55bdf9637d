/**
 * mmlab's `lspci -t -k`: lspci's bus tree (pciutils ls-tree.c draws no
 * drivers; this is mmlab's addition, marked as such in help) with each
 * function's kernel driver and state after it, the way `-tv` puts names:
 *
 * ```
 * -[0000:00]-+-02.0-[05]----00.0  [ixgbe] Mem-
 *            \-03.0-[06]----00.0  [no driver]
 * ```
 * - `[DRIVER]`: the driver bound (`Kernel driver in use:`), `[no driver]`.
 * - `frozen`: the function's link is down (reads return all ones).
 * - `Mem-`: COMMAND.MEMORY is clear, so its memory BARs decode nothing.
 * With -v the device name comes first. The tree itself is
 * {@link renderLspciTree}'s: this only supplies the text after each leaf.
 * @module
 */

import { type LspciEntry, type LspciOptions, renderLspciTree } from "./lspci.ts";

/** The driver and state text of one function: `[ixgbe] frozen Mem-`. */
export function lspciStateText(e: LspciEntry): string {
  let s = e.driver === null ? "[no driver]" : `[${e.driver}]`;
  if (e.state !== "present") s += ` ${e.state}`;
  if (e.bars.some((b) => b.kind !== "io" && b.disabled)) s += " Mem-";
  return s;
}

/** `lspci -t -k`: the tree with {@link lspciStateText} after each function. */
export function renderLspciTreeState(entries: readonly LspciEntry[], o: LspciOptions): string[] {
  const named = entries.map((e) => ({
    ...e,
    name: o.verbose > 0 ? `${e.name}  ${lspciStateText(e)}` : lspciStateText(e),
  }));
  return renderLspciTree(named, { ...o, verbose: 1 });
}
