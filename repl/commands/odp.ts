/**
 * `mr_access`: the RDMA NIC touches a registered memory region, as a work
 * request would (the NIC gathering a SEND, scattering a RECV, a peer's
 * RDMA READ or WRITE through the rkey). For an on-demand-paging MR this
 * is where the device page fault happens (lib/drivers/rdma/odp.ts). No
 * peer and no data movement are modelled: the command reports the work
 * completion's status.
 * @module
 */

import { hmmReqFlagNames, mrAccessByPtr, type MrAccessKind } from "../../mod.ts";
import { ReplError } from "../errors.ts";
import { hex } from "../format.ts";
import type { Command, Value } from "./types.ts";
import { byteCount } from "./args.ts";
import { callRecord, valueData } from "../json_result.ts";

const num = (v: Value | undefined): number =>
  v?.type === "num" ? Number(BigInt.asUintN(64, v.v)) : 0;

const KINDS: readonly MrAccessKind[] = ["send", "recv", "rdma-read", "rdma-write"];

export const MR_ACCESS: Command = {
  name: "mr_access",
  form: "call",
  group: "device",
  args: [
    { name: "mr", accepts: "num", text: "a struct ibv_mr * (ibv_reg_mr's result)" },
    { name: "offset", accepts: "num", kind: "len", text: "where in the MR" },
    { name: "length", accepts: "num", kind: "len", text: "how many bytes" },
    { name: "kind", accepts: "str", text: '"send", "recv", "rdma-read" or "rdma-write"' },
  ],
  summary: "[emu] the NIC touches an MR as a work request would; prints the completion status",
  help: [
    "The NIC's side of a work request on [mr->addr + offset, +length): the mkey checks",
    "(range; REMOTE_READ / REMOTE_WRITE / LOCAL_WRITE rights), then for an",
    "IBV_ACCESS_ON_DEMAND MR a device page fault for the pages its translation lacks:",
    "mmu_interval_read_begin, hmm_range_fault(HMM_PFN_REQ_FAULT, +REQ_WRITE for a",
    "writable MR), read_retry, the MTT updated (`notifiers` shows it). A failed fault fails",
    "the work request: IBV_WC_LOC_PROT_ERR for the NIC's own access (send, recv),",
    "IBV_WC_REM_ACCESS_ERR at the requester for a peer's rdma-read / rdma-write (status",
    "names for ODP failures are hardware specific: mmlab's are stable). A pinned MR's",
    "pages are always there. No data moves: the status is the result.",
  ].join("\n"),
  example: [
    'ctx = ibv_open_device("mlx5_0")',
    "pd = ibv_alloc_pd(ctx)",
    "buf = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "mr = ibv_reg_mr(pd, buf, 8K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_ON_DEMAND)",
    'mr_access(mr, 0, 8K, "recv")',
  ],
  needsProcess: true,
  run(ctx, [mr, offset, length, kindArg]) {
    const kind = kindArg?.type === "str" ? new TextDecoder().decode(kindArg.bytes) : "";
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new ReplError(`kind ${JSON.stringify(kind)}`, kindArg?.col, KINDS.join(", "), "usage");
    }
    const len = byteCount(length, "length", 1 << 30);
    const ptr = mr?.type === "num" ? mr.v : -1n;
    const r = mrAccessByPtr(ctx.proc, ptr, num(offset), len, kind as MrAccessKind);
    if (typeof r === "string") {
      throw new ReplError(r, mr?.col, "pass the struct ibv_mr * ibv_reg_mr returned", "usage");
    }
    ctx.record?.(callRecord(
      "mr_access",
      [mr, offset, length, kindArg].map(valueData),
      r.status === "IBV_WC_SUCCESS" ? 0 : 1,
      null,
      {
        status: r.status,
        why: r.why || null,
        fault: r.fault === null ? null : {
          iova: r.fault.range.start,
          pages: r.fault.range.hmmPfns.length,
          flags: hmmReqFlagNames(r.fault.range.defaultFlags).split("|"),
          tries: r.fault.tries.map((t) => ({ seq: t.seq, ret: t.ret, stale: t.stale })),
        },
      },
    ));
    if (r.fault !== null) {
      const rg = r.fault.range;
      ctx.out.push(
        `mlx5_ib page fault: iova ${hex(rg.start)}, ${rg.hmmPfns.length} page${
          rg.hmmPfns.length === 1 ? "" : "s"
        }, ${hmmReqFlagNames(rg.defaultFlags)}`,
      );
      for (const t of r.fault.tries) {
        ctx.out.push(
          `  mmu_interval_read_begin() = ${t.seq}, hmm_range_fault() = ${t.ret}${
            t.stale ? ", read_retry: stale" : ""
          }`,
        );
      }
    }
    ctx.out.push(`= {status=${r.status}${r.why ? `} (${r.why})` : "}"}`);
    return r.status === "IBV_WC_SUCCESS" ? 0n : 1n;
  },
};
