/**
 * Views of the machine as /proc and the usual tools show it: maps, smaps,
 * pages, ps, meminfo, status, iomem, dmesg.
 * @module
 */

import { mapsLines, meminfoLines, pageLines, psLines, smapsLines, statusLines } from "../../mod.ts";
import type { Command, CommandContext } from "./types.ts";
import { userRange } from "./args.ts";

const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

function view(
  name: string,
  summary: string,
  help: string,
  lines: (ctx: CommandContext) => string[],
  opts: { needsProcess?: boolean; example?: string[] } = {},
): Command {
  return {
    name,
    form: "word",
    group: "view",
    args: [],
    summary,
    help,
    example: opts.example ?? [name],
    needsProcess: opts.needsProcess ?? true,
    run(ctx) {
      ctx.out.push(...lines(ctx));
      return undefined;
    },
  };
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) /;

/**
 * Keeps the VMAs (a header line and the lines after it, for smaps) that
 * intersect [start, end).
 */
function vmasIn(lines: string[], start: number, end: number): string[] {
  const out: string[] = [];
  let keep = false;
  for (const l of lines) {
    const m = HEADER.exec(l);
    if (m) {
      const s = parseInt(m[1], 16), e = parseInt(m[2], 16);
      keep = s < end && e > start;
    }
    if (keep) out.push(l);
  }
  return out;
}

/** maps/smaps: the whole file, or the VMAs meeting [ADDR, ADDR+LEN). */
function procFile(
  name: string,
  summary: string,
  help: string,
  lines: (ctx: CommandContext) => string[],
  example: string[],
): Command {
  return {
    name,
    form: "word",
    group: "view",
    args: [
      {
        name: "ADDR",
        accepts: "num",
        kind: "addr",
        optional: true,
        text: "only VMAs meeting this range",
      },
      { name: "LEN", accepts: "num", kind: "len", optional: true, text: "bytes (default 4K)" },
    ],
    summary,
    help: help + "\nWith ADDR [LEN], only the VMAs that meet [ADDR, ADDR+LEN) are shown.",
    example,
    needsProcess: true,
    run(ctx, [addr, len]) {
      const all = lines(ctx);
      if (addr === undefined) ctx.out.push(...all);
      else {
        const [start, end] = userRange(addr, len);
        ctx.out.push(...vmasIn(all, start, end));
      }
      return undefined;
    },
  };
}

const pages: Command = {
  name: "pages",
  form: "word",
  group: "view",
  args: [
    { name: "ADDR", accepts: "num", kind: "addr", text: "the first address" },
    { name: "LEN", accepts: "num", kind: "len", optional: true, text: "bytes (default 4K)" },
  ],
  summary: "the page table entries and frames behind an address range",
  help: [
    "One line per page of [ADDR, ADDR+LEN): the PTE and the frame it maps.",
    "Arguments are expressions separated by blanks or commas: pages a 16K,",
    "pages a+4K, 8K, or pages(a + 4K, 8K). Inside one argument write no blank",
    "before a minus (pages a -4K means a - 4K).",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 1)", "pages a 16K"],
  needsProcess: true,
  run(ctx, [addr, len]) {
    const [start, end] = userRange(addr, len);
    ctx.out.push(...pageLines(ctx.proc, start, end));
    return undefined;
  },
};

/** The view commands. */
export const VIEW_COMMANDS: readonly Command[] = [
  procFile(
    "maps",
    "the process's mappings, as /proc/PID/maps",
    "One line per VMA: start-end perms offset dev inode name, as the kernel prints it.",
    (ctx) => mapsLines(ctx.proc),
    [MAP_LINE, "maps", "maps a 16K"],
  ),
  procFile(
    "smaps",
    "the process's mappings with their memory use, as /proc/PID/smaps",
    "Each mapping's line followed by its Size, Rss, Pss, ... fields.",
    (ctx) => smapsLines(ctx.proc),
    [MAP_LINE, "poke(a, 1)", "smaps a"],
  ),
  pages,
  view(
    "ps",
    "the processes of the machine",
    "One line per process, with its state.",
    (ctx) => psLines(ctx.machine),
    { needsProcess: false, example: ["fork()", "ps"] },
  ),
  view(
    "meminfo",
    "the machine's memory, as /proc/meminfo",
    "MemTotal, MemFree, AnonPages, ... as the kernel prints them.",
    (ctx) => meminfoLines(ctx.machine),
    { needsProcess: false },
  ),
  view(
    "status",
    "the process's memory counters, as /proc/PID/status",
    "VmSize, VmRSS, VmLck, ... as the kernel prints them.",
    (ctx) => statusLines(ctx.proc),
  ),
  view(
    "iomem",
    "the physical address space, as /proc/iomem (read as root)",
    "System RAM and the device ranges (the PCI window, BARs, pmem) as the kernel's\n" +
      "resource tree: start-end : name, children indented.",
    (ctx) => ctx.machine.iomem.text(),
    { needsProcess: false },
  ),
  view(
    "dmesg",
    "the kernel log",
    "Every line the machine's kernel logged, with its [seconds.micros] stamp.",
    (ctx) => ctx.machine.dmesg.format(),
    { needsProcess: false },
  ),
];
