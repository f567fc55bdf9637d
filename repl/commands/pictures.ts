/**
 * Pictures of the machine in the terminal: `vmmap` (and `maps --draw`), a
 * ruler picture of the address space, and `frames`, the physical side.
 * Each reads its picture as data (mod.ts) and prints it with its text
 * renderer, or as JSON with `--json`. Colour is added by the front end
 * (repl/colour.ts paintLine), never here: transcripts stay plain.
 * @module
 */

import { pushAll } from "../bulk.ts";
import { framesView, renderFrames, renderVmmap, vmmap } from "../../mod.ts";
import type { Command, CommandContext, FlagDecl, Value } from "./types.ts";
import { userRange } from "./args.ts";
import { ReplError } from "../errors.ts";
import { viewRecord } from "../json_result.ts";

const JSON_FLAG: FlagDecl = {
  name: "--json",
  text: "print the picture as JSON data (keys in a fixed order) instead of text",
};

/** Splits word flags off the arguments. */
function flagsOf(values: Value[], names: string[]): { flags: Set<string>; args: Value[] } {
  const flags = new Set<string>();
  const args: Value[] = [];
  for (const v of values) {
    if (v.type === "word" && names.includes(v.text)) flags.add(v.text);
    else args.push(v);
  }
  return { flags, args };
}

function printJson(ctx: CommandContext, data: unknown): void {
  pushAll(ctx.out, JSON.stringify(data, null, 2).split("\n"));
}

/** Runs vmmap on [addr, addr+len), or on the whole space without addr. */
function drawVmmap(
  ctx: CommandContext,
  addr: Value | undefined,
  len: Value | undefined,
  json: boolean,
) {
  let opts = {};
  if (addr !== undefined) {
    const [start, end] = userRange(addr, len);
    opts = { start, end };
  }
  const m = vmmap(ctx.proc, opts);
  ctx.record?.(viewRecord("vmmap", m));
  if (json) printJson(ctx, m);
  else pushAll(ctx.out, renderVmmap(m));
}

const MAP_LINE = "a = mmap(NULL, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

const VMMAP_HELP = [
  "A ruler picture of [ADDR, ADDR+LEN) of the address space: one column per page,",
  "or per power-of-two run of pages so that it fits 64 columns. Each VMA is a run of",
  "its letter: a anon, f file, s shared, h [heap], k [stack], g guard (PROT_NONE),",
  "u userfaultfd-registered, d device (PFN map), x DAX; . is unmapped. Upper case:",
  "a page of the column is present. The row below marks P a pinned page, ! a guard",
  "or poison marker, w a uffd-wp PTE, m a uffd MISSING range with nothing present.",
  "The same range always gets the same scale, so pictures taken before and after a",
  "split or a merge line up column for column. Without ADDR the whole user space is",
  "drawn, gaps too wide for the scale compressed to ~~ and each piece listed.",
  "Cost: the VMAs and page tables in the range, never the unmapped space.",
].join("\n");

/** The vmmap command. */
export const VMMAP_COMMAND: Command = {
  name: "vmmap",
  form: "word",
  group: "view",
  args: [
    { name: "ADDR", accepts: "num", kind: "addr", optional: true, text: "the first address" },
    { name: "LEN", accepts: "num", kind: "len", optional: true, text: "bytes (default 4K)" },
  ],
  flags: [JSON_FLAG],
  summary: "a picture of the address space: VMAs as letters, present and pinned pages",
  help: VMMAP_HELP,
  example: [
    MAP_LINE,
    "poke(a, 1)",
    "mprotect(a + 16K, 16K, PROT_NONE)",
    "vmmap a 64K",
  ],
  needsProcess: true,
  run(ctx, values) {
    const { flags, args: [addr, len] } = flagsOf(values, ["--json"]);
    drawVmmap(ctx, addr, len, flags.has("--json"));
    return undefined;
  },
};

const DRAW_FLAG: FlagDecl = {
  name: "--draw",
  text: "draw the range as vmmap does (maps [ADDR] [LEN] --draw)",
  hidden: true,
};

/** `maps` with `--draw`: the vmmap picture of the same range. */
export function withDraw(maps: Command): Command {
  return {
    ...maps,
    flags: [...(maps.flags ?? []), DRAW_FLAG],
    help: maps.help + "\nWith --draw, the vmmap picture of the range (see help vmmap).",
    run(ctx, values) {
      const { flags, args } = flagsOf(values, ["--draw"]);
      if (!flags.has("--draw")) return maps.run(ctx, values);
      const json = flagsOf(args, ["--json"]);
      drawVmmap(ctx, json.args[0], json.args[1], json.flags.has("--json"));
      return undefined;
    },
  };
}

/** The frames command. */
export const FRAMES_COMMAND: Command = {
  name: "frames",
  form: "word",
  group: "view",
  args: [
    { name: "PFN", accepts: "num", optional: true, text: "the first frame number" },
    { name: "LEN", accepts: "num", optional: true, text: "frames (default: to the last frame)" },
  ],
  flags: [JSON_FLAG],
  summary: "the physical frames: owner, refcount, mapcount and pins",
  help: [
    "A grid of the frames [PFN, PFN+LEN) of RAM and pmem, one cell per frame or per",
    "power-of-two run of frames so that it fits 64 columns a row and 16 rows: a letter",
    "for the owner most of its frames have (k kernel, z the zero page, a anonymous, f",
    "file page cache, s shmem, x pmem, . free), upper case when a frame of the cell is",
    "mapped, P when one is pinned. Up to 64 frames are also listed one a line: PFN,",
    "OWNER (anon, file:INO, shmem:INO, ...), REF, MAP, PIN and the PIDS whose page",
    "tables map it. Without PFN, the device ranges past the frames (BARs) follow, named",
    "as in iomem.",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 1)", "fork()", "poke(a, 2)", "frames 0x1000 4"],
  needsProcess: false,
  run(ctx, values) {
    const { flags, args: [pfn, len] } = flagsOf(values, ["--json"]);
    const n = ctx.machine.frames.nframes;
    const start = pfn?.type === "num" ? pfn.v : 0n;
    if (start < 0n || start >= BigInt(n)) {
      throw new ReplError(
        `PFN must be a frame of RAM or pmem (0 to 0x${(n - 1).toString(16)})`,
        pfn?.col,
        undefined,
        "usage",
      );
    }
    const count = len?.type === "num" ? len.v : BigInt(n) - start;
    if (count <= 0n || start + count > BigInt(n)) {
      throw new ReplError(
        `LEN must be > 0 and PFN+LEN at most 0x${n.toString(16)} (the frames of RAM and pmem)`,
        len?.col,
        undefined,
        "usage",
      );
    }
    const f = framesView(ctx.machine, { start: Number(start), len: Number(count) });
    ctx.record?.(viewRecord("frames", f));
    if (flags.has("--json")) printJson(ctx, f);
    else pushAll(ctx.out, renderFrames(f, { devices: pfn === undefined }));
    return undefined;
  },
};
