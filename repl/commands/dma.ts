/**
 * `dma_write(addr, bytes...)`: the device behind the process's pinned pages
 * writes them (an RDMA WRITE into a registered buffer, a disk read landing
 * in an O_DIRECT buffer), through the page frames GUP returned rather than
 * the page tables (lib/mm/pinned_dma.ts). What a truncate did to the file
 * meanwhile decides where the bytes land: the file, another file's block
 * (dax.truncateWithPin=corrupt), a scratch page (redirect).
 * @module
 */

import { dmaWriteHeld, errnoName, heldPfns, strerror } from "../../mod.ts";
import { ReplError } from "../errors.ts";
import type { Command, Value } from "./types.ts";
import { bytesOf } from "./args.ts";
import { callRecord } from "../json_result.ts";

const num = (v: Value | undefined): bigint => (v?.type === "num" ? v.v : 0n);

const dmaWrite: Command = {
  name: "dma_write",
  form: "call",
  group: "memory",
  args: [
    { name: "addr", accepts: "num", kind: "addr", text: "a user address the process has pinned" },
    {
      name: "byte",
      accepts: "num|str",
      variadic: true,
      text: 'bytes (0..255) and "strings", written in order',
    },
  ],
  summary: "a device writes through the pages the process pinned (not through its page tables)",
  help: [
    "The device holding the process's pins (pin_user_pages / get_user_pages) writes the",
    "bytes into the page frames it was given, whatever the mappings have become since.",
    "Prints how many bytes were written (= 5), or = -1 EFAULT when addr's page is not",
    "pinned. An emulator stand-in for a NIC's DMA (no kernel function).",
  ].join("\n"),
  example: [
    "a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "poke(a, 1)",
    "pin_user_pages(a, 1, FOLL_WRITE)",
    'dma_write(a, "RDMA")',
    "peek(a, 4)",
  ],
  needsProcess: true,
  run(ctx, [addr, ...rest]) {
    const data = bytesOf(rest);
    if (data.length === 0) {
      throw new ReplError("dma_write needs bytes to write", addr.col, undefined, "usage");
    }
    const a = Number(BigInt.asUintN(64, num(addr)));
    // The frames the bytes land in, before the write runs.
    const pfns = heldPfns(ctx.proc.mm, a, data.length);
    const r = dmaWriteHeld(ctx.proc.mm, a, data);
    ctx.record?.(
      callRecord("dma_write", [a, [...data]], r, r < 0 ? -r : null, { pfns: r < 0 ? [] : pfns }),
    );
    ctx.out.push(r < 0 ? `= -1 ${errnoName(-r)} (${strerror(-r)})` : `= ${r}`);
    return r < 0 ? -1n : BigInt(r);
  },
};

/** The device-DMA stand-in commands. */
export const DMA_COMMANDS: readonly Command[] = [dmaWrite];
