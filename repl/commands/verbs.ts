/**
 * The verbs a program linked with libibverbs (and its mlx5 provider)
 * calls: ibv_open_device, ibv_alloc_pd, ibv_reg_mr, ibv_create_cq,
 * ibv_create_qp, ibv_post_send / ibv_post_recv, ibv_get_async_event, the
 * destroys and ibv_close_device. Each runs what the library does in the
 * process (lib/drivers/rdma/libibverbs.ts): the syscalls it makes print
 * first, as strace would show them, then the verb's C result: a pointer
 * (`= 0x555555559300 {cmd_fd=3, async_fd=4}`, or `= NULL errno=EIO (...)`)
 * or an int (0, or an errno value as the verbs return them).
 * @module
 */

import {
  asyncEventFields,
  errnoName,
  type Machine,
  strerror,
  SYSCALLS,
  type VContext,
  type VEntry,
  type VerbResult,
  type VObject,
} from "../../mod.ts";
import { ReplError } from "../errors.ts";
import { latin1 } from "../bulk.ts";
import type { Command, CommandContext, Value } from "./types.ts";
import type { CallResult } from "../backend.ts";
import { callRecord, jsonSafe, valueData } from "../json_result.ts";
import { view } from "./views.ts";

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/** The first lines most examples need. */
const OPEN = 'ctx = ibv_open_device("mlx5_0")';
const PD = "pd = ibv_alloc_pd(ctx)";
const BUF = "buf = mmap(NULL, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
const MR = "mr = ibv_reg_mr(pd, buf, 64K, IBV_ACCESS_LOCAL_WRITE)";
const CQ = "cq = ibv_create_cq(ctx, 15)";
const QP = "qp = ibv_create_qp(pd, cq, cq)";

/** The verbs object a pointer argument names (a REPL error otherwise). */
function obj<K extends VEntry["kind"]>(
  ctx: CommandContext,
  v: Value | undefined,
  kind: K,
): Extract<VEntry, { kind: K }> {
  const ptr = v?.type === "num" ? v.v : -1n;
  const e = ctx.machine.rdma.verbs.lookup(ctx.proc, ptr, [kind]);
  if (typeof e === "string") {
    throw new ReplError(e, v?.col, `pass the struct ibv_${kind} * a verb returned`, "usage");
  }
  return e as Extract<VEntry, { kind: K }>;
}

function num(v: Value | undefined): number {
  return v?.type === "num" ? Number(BigInt.asUintN(64, v.v)) : 0;
}

/**
 * The struct fields a result shows (`{cmd_fd=3, async_fd=4}`) as data:
 * numbers where exact (hex ones too), other values as their text.
 */
function fieldsData(text: string | undefined): Record<string, number | string> | null {
  if (text === undefined) return null;
  const out: Record<string, number | string> = {};
  for (const [, k, v] of text.matchAll(/(\w+)=([^,}]*)/g)) {
    const n = /^(-?\d+|0x[0-9a-f]+)$/.test(v) ? Number(v) : NaN;
    out[k] = Number.isSafeInteger(n) ? n : v;
  }
  return out;
}

/**
 * The verb's record: its arguments, the C return (a pointer, 0 for NULL;
 * or an int, an errno value), errno's name, and in `out` the handle's
 * fields, the syscalls the library made (strace lines) and a signal's
 * number when the doorbell store faulted.
 */
function verbRecord(
  ctx: CommandContext,
  name: string,
  args: Value[],
  r: VerbResult,
  kind: "ptr" | "int",
): void {
  const errno = r.sig !== undefined
    ? null
    : kind === "ptr"
    ? (r.ret === 0n ? r.errno ?? null : null)
    : (r.ret > 0n ? Number(r.ret) : null);
  ctx.record?.(callRecord(name, args.map(valueData), r.sig !== undefined ? -1 : r.ret, errno, {
    fields: fieldsData(r.fields),
    syscalls: r.trace,
    signal: r.sig?.signo ?? null,
  }));
}

/** Prints what the verb did and returns its C value. */
function report(ctx: CommandContext, r: VerbResult, kind: "ptr" | "int"): bigint {
  ctx.out.push(...r.trace);
  if (r.sig !== undefined) {
    // The doorbell store raised a signal: the library call never returned.
    ctx.flushEvents();
    ctx.out.push("= ? (the store to the doorbell page faulted)");
    return -1n;
  }
  if (kind === "ptr") {
    if (r.ret === 0n) {
      ctx.out.push(`= NULL errno=${errnoName(r.errno!)} (${strerror(r.errno!)})`);
      return 0n;
    }
    ctx.out.push(r.fields === undefined ? `= ${hex(r.ret)}` : `= ${hex(r.ret)} ${r.fields}`);
    return r.ret;
  }
  const e = Number(r.ret);
  ctx.out.push(e === 0 ? "= 0" : `= ${e} (${errnoName(e)}: ${strerror(e)})`);
  return r.ret;
}

/** A verb command. */
function verb(
  name: string,
  args: Command["args"],
  summary: string,
  help: string,
  example: string[],
  run: (ctx: CommandContext, a: Value[]) => VerbResult,
  kind: "ptr" | "int",
): Command {
  return {
    name,
    form: "call",
    group: "library",
    args,
    summary,
    help,
    example,
    needsProcess: true,
    run: (ctx, a) => {
      const r = run(ctx, a);
      verbRecord(ctx, name, a, r, kind);
      return report(ctx, r, kind);
    },
  };
}

const ptrArg = (name: string, text: string) => ({ name, accepts: "num" as const, text });

const openDevice = verb(
  "ibv_open_device",
  [{ name: "device", accepts: "str", text: 'a device name: "mlx5_0", "mlx5_1"' }],
  "open an RDMA device: its uverbs fd, a context, the async event fd, the UAR page mapped",
  [
    "What libibverbs and libmlx5 do: open /dev/infiniband/uverbsN O_RDWR|O_CLOEXEC, the",
    "GET_CONTEXT command (the driver gives the context a UAR page of BAR 0 and an mmap",
    "offset for it) with an async event fd (anon_inode:[infinibandevent]), then map the",
    "UAR page PROT_WRITE, MAP_SHARED from the uverbs fd: a VM_IO|VM_PFNMAP mapping (smaps",
    "io pf de dd) that maps shows on the device node. Returns a struct ibv_context *",
    "with its cmd_fd and async_fd, or NULL and errno (ENODEV for an unknown device).",
  ].join("\n"),
  [OPEN],
  (ctx, [d]) =>
    ctx.machine.rdma.verbs.openDevice(ctx.proc, latin1((d as { bytes: Uint8Array }).bytes)),
  "ptr",
);

const closeDevice = verb(
  "ibv_close_device",
  [ptrArg("context", "a struct ibv_context *")],
  "close a device: unmap the UAR page, close the async and command fds",
  "Returns 0. Objects still alive go with the command fd's release (RDMA_REMOVE_CLOSE).",
  [OPEN, "ibv_close_device(ctx)"],
  (ctx, [c]) => ctx.machine.rdma.verbs.closeDevice(ctx.proc, obj(ctx, c, "context") as VContext),
  "int",
);

const allocPd = verb(
  "ibv_alloc_pd",
  [ptrArg("context", "a struct ibv_context *")],
  "allocate a protection domain",
  "Returns a struct ibv_pd *, or NULL and errno: EIO once the device is gone.",
  [OPEN, PD],
  (ctx, [c]) => ctx.machine.rdma.verbs.allocPd(ctx.proc, obj(ctx, c, "context") as VContext),
  "ptr",
);

const deallocPd = verb(
  "ibv_dealloc_pd",
  [ptrArg("pd", "a struct ibv_pd *")],
  "free a protection domain (EBUSY while MRs or QPs use it)",
  "Returns 0 or an errno; works after device loss.",
  [OPEN, PD, "ibv_dealloc_pd(pd)"],
  (ctx, [o]) => ctx.machine.rdma.verbs.destroy(ctx.proc, obj(ctx, o, "pd") as VObject),
  "int",
);

const regMr = verb(
  "ibv_reg_mr",
  [
    ptrArg("pd", "a struct ibv_pd *"),
    { name: "addr", accepts: "num", kind: "addr", text: "the start of the memory" },
    { name: "length", accepts: "num", kind: "len", text: "its length in bytes" },
    { name: "access", accepts: "num", text: "IBV_ACCESS_* flags" },
  ],
  "register memory for DMA: the kernel pins its pages (ib_umem_get)",
  [
    "ib_umem_get() pins every page with pin_user_pages(FOLL_LONGTERM, and FOLL_WRITE for a",
    "writable access): pages shows the pins, and mm->pinned_vm counts against",
    "RLIMIT_MEMLOCK. Errors, in the kernel's order: EINVAL (access flags, PD), EPERM",
    "(RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK), ENOMEM (over RLIMIT_MEMLOCK), then GUP's",
    "EFAULT for unmapped or VM_IO|VM_PFNMAP memory. EIO once the device is gone. With",
    "IBV_ACCESS_ON_DEMAND nothing is pinned (ib_umem_odp_get: an interval notifier over",
    "the range; pages fault in when the NIC touches them, see mr_access). Returns a",
    "struct ibv_mr * with its addr, length, lkey and rkey, or NULL and errno.",
  ].join("\n"),
  [OPEN, PD, BUF, MR],
  (ctx, [pd, a, l, acc]) =>
    ctx.machine.rdma.verbs.regMr(ctx.proc, obj(ctx, pd, "pd") as VObject, num(a), num(l), num(acc)),
  "ptr",
);

const deregMr = verb(
  "ibv_dereg_mr",
  [ptrArg("mr", "a struct ibv_mr *")],
  "deregister memory: the kernel unpins its pages",
  "Returns 0 or an errno; works after device loss (the pages were unpinned then).",
  [OPEN, PD, BUF, MR, "ibv_dereg_mr(mr)"],
  (ctx, [o]) => ctx.machine.rdma.verbs.destroy(ctx.proc, obj(ctx, o, "mr") as VObject),
  "int",
);

const createCq = verb(
  "ibv_create_cq",
  [ptrArg("context", "a struct ibv_context *"), {
    name: "cqe",
    accepts: "num",
    text: "the least number of entries",
  }],
  "create a completion queue: libmlx5 allocates its buffer, the kernel pins it",
  [
    "libmlx5 rounds cqe + 1 up to a power of two, maps a buffer of 64-byte CQEs and marks",
    "each invalid; the kernel pins it writable (the device writes completions). Returns",
    "a struct ibv_cq * with its cqe, or NULL and errno.",
  ].join("\n"),
  [OPEN, CQ],
  (ctx, [c, n]) =>
    ctx.machine.rdma.verbs.createCq(ctx.proc, obj(ctx, c, "context") as VContext, num(n)),
  "ptr",
);

const destroyCq = verb(
  "ibv_destroy_cq",
  [ptrArg("cq", "a struct ibv_cq *")],
  "destroy a completion queue (EBUSY while a QP uses it)",
  "Returns 0 or an errno; libmlx5 then unmaps the buffer. Works after device loss.",
  [OPEN, CQ, "ibv_destroy_cq(cq)"],
  (ctx, [o]) => ctx.machine.rdma.verbs.destroy(ctx.proc, obj(ctx, o, "cq") as VObject),
  "int",
);

const createQp = verb(
  "ibv_create_qp",
  [
    ptrArg("pd", "a struct ibv_pd *"),
    ptrArg("send_cq", "a struct ibv_cq *"),
    ptrArg("recv_cq", "a struct ibv_cq *"),
  ],
  "create an RC queue pair (16 send, 16 receive WRs): its buffer is pinned",
  [
    "ibv_create_qp(pd, &attr) with attr {send_cq, recv_cq, cap={16, 16, 1, 1}, IBV_QPT_RC}:",
    "libmlx5 maps and zeroes the work queue buffer (send queue of 64-byte WQEs, then the",
    "receive queue), the kernel pins it read-only. Returns a struct ibv_qp * with its",
    "qp_num, or NULL and errno.",
  ].join("\n"),
  [OPEN, PD, CQ, QP],
  (ctx, [pd, s, r]) =>
    ctx.machine.rdma.verbs.createQp(
      ctx.proc,
      obj(ctx, pd, "pd") as VObject,
      obj(ctx, s, "cq") as VObject,
      obj(ctx, r, "cq") as VObject,
    ),
  "ptr",
);

const destroyQp = verb(
  "ibv_destroy_qp",
  [ptrArg("qp", "a struct ibv_qp *")],
  "destroy a queue pair",
  "Returns 0 or an errno; libmlx5 then unmaps the buffer. Works after device loss.",
  [OPEN, PD, CQ, QP, "ibv_destroy_qp(qp)"],
  (ctx, [o]) => ctx.machine.rdma.verbs.destroy(ctx.proc, obj(ctx, o, "qp") as VObject),
  "int",
);

const sendArgs = [
  ptrArg("qp", "a struct ibv_qp *"),
  ptrArg("mr", "the struct ibv_mr * of the data (sg_list = {mr->addr, length, mr->lkey})"),
  { name: "length", accepts: "num" as const, kind: "len" as const, text: "bytes to send" },
];

const postSend = verb(
  "ibv_post_send",
  sendArgs,
  "post a SEND: the WQE into the send queue, then the doorbell store to the UAR page",
  [
    "mlx5_post_send() runs in user space only: it writes the WQE (control and data",
    "segments) into the QP buffer and rings the doorbell with an 8-byte store of the",
    "control segment to the UAR page, at 0x800 and 0x900 by turns (BlueFlame). The device",
    "logs the doorbell. No syscall: after device loss the store lands on what",
    "rdma.onDisassociate left there (the dummy page: = 0 and nothing happens; sigbus:",
    "SIGBUS). Returns 0.",
  ].join("\n"),
  [OPEN, PD, BUF, MR, CQ, QP, "ibv_post_send(qp, mr, 64)"],
  (ctx, [q, mr, l]) =>
    ctx.machine.rdma.verbs.postSend(
      ctx.proc,
      obj(ctx, q, "qp") as VObject,
      obj(ctx, mr, "mr") as VObject,
      num(l),
    ),
  "int",
);

const postRecv = verb(
  "ibv_post_recv",
  sendArgs,
  "post a receive buffer: a data segment into the receive queue (no doorbell store)",
  "mlx5_post_recv() writes the WQE and the doorbell record, both in user memory: no MMIO.\nReturns 0.",
  [OPEN, PD, BUF, MR, CQ, QP, "ibv_post_recv(qp, mr, 64)"],
  (ctx, [q, mr, l]) =>
    ctx.machine.rdma.verbs.postRecv(
      ctx.proc,
      obj(ctx, q, "qp") as VObject,
      obj(ctx, mr, "mr") as VObject,
      num(l),
    ),
  "int",
);

const READ = SYSCALLS.find((s) => s.name === "read")!;

const getAsyncEvent: Command = {
  name: "ibv_get_async_event",
  form: "call",
  group: "library",
  args: [ptrArg("context", "a struct ibv_context *")],
  summary: "wait for the next async event of a device (a read of its async fd)",
  help: [
    "read(async_fd, &desc, 16): one struct ib_uverbs_async_event_desc. With none queued",
    "the thread sleeps in ib_uverbs_event_read until one comes (run it in a thread with",
    "@t); device loss queues {event_type=IBV_EVENT_DEVICE_FATAL, element=0}, the last",
    "event the fd will ever give. Returns 0 with the event, or -1 and errno.",
  ].join("\n"),
  example: [OPEN, "ibv_get_async_event(ctx)"],
  needsProcess: true,
  async run(ctx, [c]) {
    const vctx = obj(ctx, c, "context") as VContext;
    const fd = ctx.machine.rdma.verbs.asyncFd(vctx);
    const args: Value[] = [
      { type: "num", v: BigInt(fd), col: 0 },
      { type: "str", bytes: new Uint8Array(16), col: 0 },
      { type: "num", v: 16n, col: 0 },
    ];
    const r = await ctx.backend.syscall(ctx.pid, READ, args);
    ctx.record?.(callRecord(
      "ibv_get_async_event",
      [valueData(c)],
      r.pending !== undefined ? null : r.ret < 0 ? -1 : 0,
      r.pending === undefined && r.ret < 0 ? -r.ret : null,
      {
        asyncFd: fd,
        event: r.pending !== undefined || r.ret < 0
          ? null
          : fieldsData(asyncEventFields(r.data ?? new Uint8Array(16))),
        waits: r.pending !== undefined,
      },
    ));
    const line = (res: CallResult) =>
      res.ret < 0
        ? `= -1 errno=${errnoName(-res.ret)} (${strerror(-res.ret)})`
        : `= 0 ${asyncEventFields(res.data ?? new Uint8Array(16))}`;
    if (r.pending !== undefined) {
      ctx.out.push(`<unfinished ...> ${r.note ?? ""}`.trimEnd());
      ctx.unfinished(r.pending, {
        name: "ibv_get_async_event",
        line,
        value: (res) => (res.ret < 0 ? -1n : 0n),
      });
      return undefined;
    }
    ctx.out.push(line(r));
    return r.ret < 0 ? -1n : 0n;
  },
};

/** `ibv_devices`: the devices libibverbs finds, as rdma-core's tool prints them. */
const ibvDevices: Command = view(
  "ibv_devices",
  "list the RDMA devices and their node GUIDs (rdma-core's ibv_devices)",
  [
    "One line per registered ib_device: its name and node GUID. ibv_open_device opens",
    "/dev/infiniband/uverbsN of that device; lspci -k shows the function mlx5_core drives.",
  ].join("\n"),
  (ctx) =>
    ctx.machine.rdma.slots.filter((s) => s !== undefined).map((s) => ({
      device: s.ib.name,
      nodeGuid: s.ib.nodeGuid.toString(16).padStart(16, "0"),
    })),
  (rows) => [
    `    ${"device".padEnd(16)}\t   node GUID`,
    `    ${"------".padEnd(16)}\t----------------`,
    ...rows.map((r) => `    ${r.device.padEnd(16)}\t${r.nodeGuid}`),
  ],
  { needsProcess: false },
);

/**
 * The doorbell writes an RDMA device saw as data (the function, BAR, offset,
 * width in bytes, value); undefined when NAME is no RDMA device.
 */
export function rdmaDoorbells(machine: Machine, name: string): unknown[] | undefined {
  const s = machine.rdma.find(name);
  if (s === undefined) return undefined;
  return s.fn.doorbells().map((w) =>
    jsonSafe({ bdf: s.fn.bdf, bar: w.bar, offset: w.offset, width: w.width, value: w.value })
  );
}

/**
 * The doorbell writes an RDMA device saw ([emu] device register log), for
 * `doorbells mlx5_0` / `doorbells uverbs1` (repl/commands/devices.ts); undefined
 * when NAME is no RDMA device.
 */
export function rdmaDoorbellLines(machine: Machine, name: string): string[] | undefined {
  const s = machine.rdma.find(name);
  if (s === undefined) return undefined;
  const log = s.fn.doorbells();
  if (log.length === 0) return [`(${s.ib.name}: no BAR writes)`];
  return log.map((w) =>
    `[emu] ${s.fn.bdf} BAR${w.bar}+${hex(w.offset)} write${w.width * 8} ${
      hex(w.value).padStart(18, " ")
    }`
  );
}

/** Every verbs command, in the order a program calls them. */
export const VERBS_COMMANDS: readonly Command[] = [
  openDevice,
  allocPd,
  regMr,
  createCq,
  createQp,
  postSend,
  postRecv,
  getAsyncEvent,
  deregMr,
  destroyQp,
  destroyCq,
  deallocPd,
  closeDevice,
  ibvDevices,
];
