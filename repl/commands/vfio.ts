/**
 * `vfio [faults]`: the devices bound to vfio-pci, their groups, open fds,
 * memory enable (vfio's view and the register's), faults, zaps, pins and
 * removal; `faults` lists each BAR mapping and each fault it took
 * (lib/drivers/vfio/view.ts).
 * @module
 */

import { pushAll } from "../bulk.ts";
import { ReplError } from "../errors.ts";
import {
  vfioDoorbellLines,
  vfioFaultData,
  vfioFaultLines,
  vfioStatusData,
  vfioStatusLines,
} from "../../mod.ts";
import type { Command } from "./types.ts";
import { viewRecord } from "../json_result.ts";

export const VFIO_COMMAND: Command = {
  name: "vfio",
  form: "word",
  group: "device",
  args: [{
    name: "faults|doorbells",
    accepts: "word",
    optional: true,
    text: "every BAR mapping and its faults, or the newest register writes",
    complete: () => ["faults", "doorbells"],
  }],
  summary: "devices bound to vfio-pci: groups, memory enable, faults, zaps, pins",
  help: "One line a device bound to vfio-pci: its group node (/dev/vfio/N), open device\n" +
    "fds, MEMORY as vfio sees it (the value the user wrote to COMMAND) and as the\n" +
    "register holds it, BAR faults taken, zaps on memory disable, pages its container\n" +
    "pins for DMA, and a removal waiting for the user. `vfio faults` lists each BAR\n" +
    "mapping (its design, vfio.faultImpl at mmap time) and each fault: the order it\n" +
    "mapped (0 a page, 9 a 2 MiB PMD, 18 a 1 GiB PUD) and the PTEs it filled.\n" +
    "`vfio doorbells` shows the newest writes each device's registers received.",
  example: ["vfio", "vfio faults", "vfio doorbells"],
  needsProcess: false,
  run(ctx, [arg]) {
    const what = arg?.type === "word" ? arg.text : arg === undefined ? "" : "?";
    if (!["", "faults", "doorbells"].includes(what)) {
      throw new ReplError("vfio takes nothing, faults or doorbells", arg!.col, undefined, "usage");
    }
    const v = ctx.machine.vfio;
    // The data the text shows: the devices, the BAR mappings and their faults, or the newest 8
    // register writes each device received.
    ctx.record?.(viewRecord(
      "vfio",
      what === ""
        ? { devices: vfioStatusData(v) }
        : what === "faults"
        ? { mappings: vfioFaultData(v) }
        : {
          doorbells: [...v.devices.values()].map((d) => ({
            bdf: d.pdev.bdf,
            writes: d.pdev.doorbellWrites,
            recent: d.pdev.doorbells.slice(-8),
          })),
        },
    ));
    pushAll(
      ctx.out,
      what === ""
        ? vfioStatusLines(v)
        : what === "faults"
        ? vfioFaultLines(v)
        : vfioDoorbellLines(v),
    );
    return undefined;
  },
};
