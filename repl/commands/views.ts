/**
 * Views of the machine as /proc and the usual tools show it: maps, smaps,
 * pages, pagemap, ps, meminfo, status, statm, iomem, dmesg. Each reads its view as data (mod.ts)
 * and prints it with the view's text renderer, or as JSON with `--json`;
 * the data is also the view's record in the line's JSON (repl/json_result.ts).
 * @module
 */

import { pushAll } from "../bulk.ts";
import {
  type LogLine,
  mapsEntries,
  type MapsEntry,
  meminfo,
  pagemapEntries,
  pageRows,
  procStatm,
  psRows,
  renderMapsEntry,
  renderMeminfo,
  renderPagemap,
  renderPageRows,
  renderProcStatm,
  renderPsRows,
  renderSmapsEntry,
  renderTaskStatus,
  renderThreadRows,
  renderVmstat,
  type Resource,
  smapsEntries,
  taskStatus,
  threadRows,
  vmstat,
} from "../../mod.ts";
import type { Command, CommandContext, FlagDecl, Value } from "./types.ts";
import { userRange } from "./args.ts";
import { viewRecord } from "../json_result.ts";

const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

/** The `--json` flag of a view. */
export const JSON_FLAG: FlagDecl = {
  name: "--json",
  text: "print the view as JSON data (keys in a fixed order) instead of text",
};

/** Splits `--json` off the arguments. */
export function jsonFlag(values: Value[]): { json: boolean; args: Value[] } {
  const args = values.filter((v) => !(v.type === "word" && v.text === JSON_FLAG.name));
  return { json: args.length !== values.length, args };
}

/** Prints data as indented JSON, one line per output line. */
export function printJson(ctx: CommandContext, data: unknown): void {
  pushAll(ctx.out, JSON.stringify(data, null, 2).split("\n"));
}

/** A view without arguments: its data, and the renderer for it. */
export function view<T>(
  name: string,
  summary: string,
  help: string,
  data: (ctx: CommandContext) => T,
  render: (d: T) => string[],
  opts: { needsProcess?: boolean; example?: string[] } = {},
): Command {
  return {
    name,
    form: "word",
    group: "view",
    args: [],
    flags: [JSON_FLAG],
    summary,
    help,
    example: opts.example ?? [name],
    needsProcess: opts.needsProcess ?? true,
    run(ctx, values) {
      const d = data(ctx);
      ctx.record?.(viewRecord(name, d));
      if (jsonFlag(values).json) printJson(ctx, d);
      else pushAll(ctx.out, render(d));
      return undefined;
    },
  };
}

/** maps/smaps: the whole file, or the VMAs meeting [ADDR, ADDR+LEN). */
function procFile<T>(
  name: string,
  summary: string,
  help: string,
  entries: (ctx: CommandContext) => T[],
  vma: (e: T) => MapsEntry,
  render: (e: T) => string[],
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
    flags: [JSON_FLAG],
    summary,
    help: help + "\nWith ADDR [LEN], only the VMAs that meet [ADDR, ADDR+LEN) are shown.",
    example,
    needsProcess: true,
    run(ctx, values) {
      const { json, args: [addr, len] } = jsonFlag(values);
      let all = entries(ctx);
      if (addr !== undefined) {
        const [start, end] = userRange(addr, len);
        all = all.filter((e) => vma(e).start < end && vma(e).end > start);
      }
      ctx.record?.(viewRecord(name, all));
      if (json) printJson(ctx, all);
      else for (const e of all) ctx.out.push(...render(e));
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
  flags: [JSON_FLAG],
  summary: "the page table entries and frames behind an address range",
  help: [
    "One line per page of [ADDR, ADDR+LEN): the PTE and the frame it maps; a run of",
    "16 or more pages with nothing mapped is one line (7f0000004000-7f0000100000  none",
    "(252 pages)), so any range, up to the whole user half, costs what is mapped.",
    "Arguments are expressions separated by blanks or commas: pages a 16K,",
    "pages a+4K, 8K, or pages(a + 4K, 8K). Inside one argument write no blank",
    "before a minus (pages a -4K means a - 4K).",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 1)", "pages a 16K"],
  needsProcess: true,
  run(ctx, values) {
    const { json, args: [addr, len] } = jsonFlag(values);
    const [start, end] = userRange(addr, len);
    const rows = pageRows(ctx.proc, start, end);
    ctx.record?.(viewRecord("pages", rows));
    if (json) printJson(ctx, rows);
    else pushAll(ctx.out, renderPageRows(rows));
    return undefined;
  },
};

const pagemap: Command = {
  name: "pagemap",
  form: "word",
  group: "view",
  args: [
    { name: "ADDR", accepts: "num", kind: "addr", text: "the first address" },
    { name: "LEN", accepts: "num", kind: "len", optional: true, text: "bytes (default 4K)" },
  ],
  flags: [JSON_FLAG],
  summary: "the /proc/PID/pagemap entries of an address range, decoded",
  help: [
    "One line per page whose 64-bit entry is not 0: the address, the entry in hex,",
    "its bits by name (present, swapped, file = file page or shared anonymous,",
    "exclusive = mapped once, soft-dirty, uffd-wp, guard) and the PFN (root only).",
    "Pages reading 0 (nothing mapped) are counted, not listed.",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 1)", "pagemap a 16K"],
  needsProcess: true,
  run(ctx, values) {
    const { json, args: [addr, len] } = jsonFlag(values);
    const [start, end] = userRange(addr, len);
    const rows = pagemapEntries(ctx.proc, start, end);
    ctx.record?.(viewRecord("pagemap", rows));
    if (json) printJson(ctx, rows);
    else ctx.out.push(...renderPagemap(rows, Math.ceil((end - start) / 4096)));
    return undefined;
  },
};

/** The view commands. */
export const VIEW_COMMANDS: readonly Command[] = [
  procFile(
    "maps",
    "the process's mappings, as /proc/PID/maps",
    "One line per VMA: start-end perms offset dev inode name, as the kernel prints it.",
    (ctx) => mapsEntries(ctx.proc),
    (e) => e,
    (e) => [renderMapsEntry(e)],
    [MAP_LINE, "maps", "maps a 16K", "maps a 16K --json"],
  ),
  procFile(
    "smaps",
    "the process's mappings with their memory use, as /proc/PID/smaps",
    "Each mapping's line followed by its Size, Rss, Pss, ... fields.",
    (ctx) => smapsEntries(ctx.proc),
    (e) => e.vma,
    renderSmapsEntry,
    [MAP_LINE, "poke(a, 1)", "smaps a"],
  ),
  pages,
  pagemap,
  view(
    "ps",
    "the processes of the machine",
    "One line per process, with its state.",
    (ctx) => psRows(ctx.machine),
    renderPsRows,
    { needsProcess: false, example: ["fork()", "ps"] },
  ),
  view(
    "threads",
    "every thread, its state and where it sleeps (ps -L)",
    "One line per thread, as ps -L -o pid,tid,stat,wchan:20,comm prints them: STAT\n" +
      "R (running), S (asleep, interruptible), D (uninterruptible), Z (exited), with l\n" +
      "for a multi-threaded process; WCHAN the kernel function a sleeping thread waits in.",
    (ctx) => threadRows(ctx.machine),
    renderThreadRows,
    {
      needsProcess: false,
      example: ["t = pthread_create()", "@t nanosleep({tv_sec=1, tv_nsec=0})", "threads"],
    },
  ),
  view(
    "meminfo",
    "the machine's memory, as /proc/meminfo",
    "MemTotal, MemFree, AnonPages, ... as the kernel prints them.",
    (ctx) => meminfo(ctx.machine),
    renderMeminfo,
    { needsProcess: false },
  ),
  view(
    "vmstat",
    "the machine's event and page counters, as /proc/vmstat",
    "name value lines in the kernel's order: free, anonymous, mapped, file and shmem\n" +
      "pages, and nr_foll_pin_acquired / nr_foll_pin_released, which move by one per page\n" +
      "pinned and unpinned with FOLL_PIN (5.7+): their difference is the pins held now.",
    (ctx) => vmstat(ctx.machine),
    renderVmstat,
    {
      needsProcess: false,
      example: [MAP_LINE, "poke(a, 1)", "pin_user_pages(a, 1, FOLL_WRITE)", "vmstat"],
    },
  ),
  view(
    "status",
    "the process's memory counters, as /proc/PID/status",
    "VmSize, VmRSS, VmLck, ... as the kernel prints them, then Threads:.",
    (ctx) => taskStatus(ctx.proc),
    renderTaskStatus,
  ),
  view(
    "statm",
    "the process's memory in pages, as /proc/PID/statm",
    "size resident shared text lib data dt, in pages, as task_statm() counts them:\n" +
      "total_vm; file + shmem + anon RSS; file + shmem RSS; [start_code, end_code);\n" +
      "0; data_vm + stack_vm; 0.",
    (ctx) => procStatm(ctx.proc),
    renderProcStatm,
    { example: [MAP_LINE, "poke(a, 1)", "statm"] },
  ),
  view(
    "iomem",
    "the physical address space, as /proc/iomem (read as root)",
    "System RAM and the device ranges (the PCI window, BARs, pmem) as the kernel's\n" +
      "resource tree: start-end : name, children indented.",
    (ctx) => iomemNodes(ctx.machine.iomem.root),
    renderIomem,
    { needsProcess: false },
  ),
  view(
    "dmesg",
    "the kernel log",
    "Every line the machine's kernel logged, with its [seconds.micros] stamp.",
    (ctx) => ctx.machine.dmesg.lines.map(dmesgLine),
    (lines) => lines.map((l) => `[${l.time.padStart(12, " ")}] ${l.text}`),
    { needsProcess: false },
  ),
];

/** A resource of the iomem tree as data: [start, end] inclusive, its name, its children. */
export interface IomemNode {
  start: number;
  end: number;
  name: string;
  children: IomemNode[];
}

/** The children of `r` as data (kernel/resource.c: the tree /proc/iomem walks). */
function iomemNodes(r: Resource): IomemNode[] {
  return r.children.map((c) => ({
    start: c.start,
    end: c.end,
    name: c.name,
    children: iomemNodes(c),
  }));
}

/** /proc/iomem (kernel/resource.c r_show): two spaces a level, addresses at least 8 hex digits. */
function renderIomem(nodes: IomemNode[], depth = 0): string[] {
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return nodes.flatMap((n) => [
    `${"  ".repeat(depth)}${hex(n.start)}-${hex(n.end)} : ${n.name}`,
    ...renderIomem(n.children, depth + 1),
  ]);
}

/** One kernel log line as data: virtual ns, the seconds as dmesg prints them, level, text. */
function dmesgLine(l: LogLine): { ns: number; time: string; level: string; text: string } {
  const us = Math.floor(l.ns / 1000);
  const time = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")}`;
  return { ns: l.ns, time, level: l.level, text: l.text };
}
