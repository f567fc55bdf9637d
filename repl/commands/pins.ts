/**
 * Kernel references to user pages from the command line: `pin_user_pages`
 * and `get_user_pages` do what a driver's call of mm/gup.c would (an RDMA
 * memory registration pins, O_DIRECT gets or pins) and keep the pages for
 * the process, as the driver would; `unpin_user_pages` gives them back.
 * `pages ADDR` then shows each frame's refcount, mapcount and pins, and
 * `vmstat` the nr_foll_pin_* counters. The emulated machine only: a host
 * process cannot be made to pin its pages from outside.
 * @module
 */

import {
  FOLL_NAMES,
  getUserPagesTouch,
  type GupPage,
  holdUserPages,
  isValidGupArgs,
  pinUserPages,
  releaseHeldPages,
  withoutFaultRetry,
} from "../../mod.ts";
import { formatReturn } from "../format.ts";
import type { Command, CommandContext, Value } from "./types.ts";
import { byteCount } from "./args.ts";
import { callRecord, valueData } from "../json_result.ts";

const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

/** The most pages one call takes (the REPL's limit, not the kernel's). */
const MAX_PAGES = 1 << 20;

const num = (v: Value | undefined): bigint => (v?.type === "num" ? v.v : 0n);

/** `start & PAGE_MASK`, as gup_fast_fallback() takes it. */
function pageStart(v: Value): number {
  return Number(BigInt.asUintN(64, num(v)) & ~0xfffn);
}

/**
 * The call's record: its arguments, the return (pages taken, or -errno) and
 * each page taken or given back: address, pfn, whether a biased pin, what was taken.
 */
function record(
  ctx: CommandContext,
  name: string,
  args: (Value | undefined)[],
  ret: number,
  pages: readonly GupPage[],
): void {
  ctx.record?.(callRecord(
    name,
    args.filter((a) => a !== undefined).map(valueData),
    ret,
    ret < 0 ? -ret : null,
    { pages: pages.map((pg) => ({ addr: pg.addr, pfn: pg.pfn, pinned: pg.pinned, ref: pg.ref })) },
  ));
}

function gupCommand(name: "pin_user_pages" | "get_user_pages", pin: boolean): Command {
  const flagNames = FOLL_NAMES.map(([n]) => n).join(", ");
  return {
    name,
    form: "call",
    group: "memory",
    args: [
      { name: "start", accepts: "num", kind: "addr", text: "the first address (rounded down)" },
      { name: "nr_pages", accepts: "num", text: "how many pages" },
      {
        name: "gup_flags",
        accepts: "num",
        optional: true,
        text: "FOLL_* flags (FOLL_WRITE|FOLL_LONGTERM)",
      },
    ],
    summary: pin
      ? "pin user pages as a driver would (mm/gup.c pin_user_pages: FOLL_PIN)"
      : "take references on user pages as a driver would (mm/gup.c get_user_pages)",
    help: [
      pin
        ? "FOLL_PIN: each page's refcount grows by GUP_PIN_COUNTING_BIAS (1024) and"
        : "FOLL_GET|FOLL_TOUCH: each page's refcount grows by one (and it is marked",
      pin
        ? "nr_foll_pin_acquired by one (5.7+; a plain +1 before, policy gup.pinModel); the"
        : "accessed). Faults pages in as a kernel access would: a fault that would signal",
      pin
        ? "zero page takes nothing (6.5+, gup.pinZeroPage). The mm is marked MMF_HAS_PINNED,"
        : "is -EFAULT instead.",
      pin ? "which fork looks at (fork.pinnedPages)." : "",
      "Prints how many pages were taken (= 2), or = -1 ERRNO when not even the first",
      "was: EFAULT for no VMA, VM_IO|VM_PFNMAP, a write to a read-only mapping, a",
      "FOLL_LONGTERM write pin of a shared ext4 mapping (6.5+); EINVAL for flags GUP",
      "keeps to itself, FOLL_LONGTERM without a pin. The process holds the pages until",
      "unpin_user_pages or exit.",
      `Flags: ${flagNames}.`,
    ].filter((l) => l !== "").join("\n"),
    example: [MAP_LINE, "poke(a, 1)", `${name}(a, 2, FOLL_WRITE)`, "pages a 8K"],
    needsProcess: true,
    run(ctx: CommandContext, [start, nrArg, flagsArg]) {
      const nr = byteCount(nrArg, "nr_pages", MAX_PAGES);
      const flags = Number(BigInt.asUintN(32, num(flagsArg)));
      const mm = ctx.proc.mm;
      let ret = isValidGupArgs(flags, pin);
      if (ret === 0) {
        // The calls proper (no `locked`): a userfault is -EFAULT, not a wait.
        const r = withoutFaultRetry(
          mm,
          () =>
            pin
              ? pinUserPages(mm, pageStart(start), nr, flags)
              : getUserPagesTouch(mm, pageStart(start), nr, flags),
        );
        holdUserPages(mm, r.pages);
        ret = r.err !== 0 ? r.err : r.pages.length;
        record(ctx, name, [start, nrArg, flagsArg], ret, r.pages);
      } else record(ctx, name, [start, nrArg, flagsArg], ret, []);
      ctx.out.push(formatReturn(ret, "int"));
      return ret < 0 ? -1n : BigInt(ret);
    },
  };
}

const unpin: Command = {
  name: "unpin_user_pages",
  form: "call",
  group: "memory",
  args: [
    { name: "start", accepts: "num", kind: "addr", text: "the first address (rounded down)" },
    { name: "nr_pages", accepts: "num", text: "how many pages" },
  ],
  summary: "give back what pin_user_pages / get_user_pages took in a range",
  help: [
    "unpin_user_page() for each pinned page the process holds in the range (the bias",
    "goes, nr_foll_pin_released grows by one), put_page() for each plain reference.",
    "Prints how many pages were given back. A page unmapped meanwhile is freed now.",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 1)", "pin_user_pages(a, 1, FOLL_WRITE)", "unpin_user_pages(a, 1)"],
  needsProcess: true,
  run(ctx, [start, nrArg]) {
    const nr = byteCount(nrArg, "nr_pages", MAX_PAGES);
    const from = pageStart(start);
    const held = ctx.proc.mm.gupHeld.filter((pg) => pg.addr >= from && pg.addr < from + nr * 4096);
    const n = releaseHeldPages(ctx.proc.mm, from, nr);
    record(ctx, "unpin_user_pages", [start, nrArg], n, held);
    ctx.out.push(`= ${n}`);
    return BigInt(n);
  },
};

/** The GUP commands. */
export const PIN_COMMANDS: readonly Command[] = [
  gupCommand("pin_user_pages", true),
  gupCommand("get_user_pages", false),
  unpin,
];
