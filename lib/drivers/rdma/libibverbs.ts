/**
 * The user-space half: what rdma-core's libibverbs and its mlx5 provider
 * (libmlx5) do in the calling process when a program calls a verb. They
 * make real syscalls (open, mmap, munmap, close, read), run the uverbs
 * commands (uverbs_cmd.ts, the ioctls libibverbs issues) and touch the
 * process's memory as the library would: ibv_post_send writes the work
 * request into the QP buffer and rings the doorbell with an 8-byte store
 * to the UAR page it mapped from the uverbs fd (a real user access: after
 * device loss it lands on whatever rdma_umap_fault maps there, or raises
 * SIGBUS). Verbs return as in C: pointers (NULL and errno), or an errno.
 *
 * The verbs structs live in the library's own table, not in process
 * memory: the pointers handed back are names for them (where glibc's
 * malloc would put them, from the heap's start + 0x2a0), not addresses to
 * peek.
 * @module
 */

import { EINVAL, ENODEV, errnoName, isErr, strerror } from "../../abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CLOEXEC,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../abi/mman.ts";
import type { SigInfo } from "../../abi/signal.ts";
import type { Process } from "../../proc/process.ts";
import { syscall } from "../../syscalls.ts";
import { cpuFill, cpuWrite } from "../../arch/cpu.ts";
import { IBV_EVENT_NAMES } from "./ib_verbs.ts";
import type { RdmaSubsystem } from "./subsystem.ts";
import { MLX5_BF_OFFSET, MLX5_BF_SIZE } from "./mlx5.ts";
import {
  cmdAllocPd,
  cmdCreateCq,
  cmdCreateQp,
  cmdDestroy,
  cmdGetContext,
  cmdRegMr,
  MLX5_CQE_SIZE,
  uverbsFileOfFd,
} from "./uverbs_cmd.ts";
import type { UobjectKind, UverbsFile } from "./uverbs.ts";

/** struct ibv_context, as libmlx5 keeps it. */
interface VContext {
  /** Tags a context. */
  kind: "context";
  /** The struct's address in the process heap. */
  ptr: bigint;
  /** The device name (`mlx5_0`). */
  device: string;
  /** The uverbs command fd (/dev/infiniband/uverbsN). */
  cmdFd: number;
  /** The async event fd. */
  asyncFd: number;
  /** Where the UAR page is mapped. */
  uar: number;
  /** The BlueFlame buffer the next post uses (0x800, then 0x900, ...). */
  bfOffset: number;
}

/** struct ibv_pd / ibv_mr / ibv_cq / ibv_qp */
interface VObject {
  /** Which verbs object it is. */
  kind: "pd" | "mr" | "cq" | "qp";
  /** The struct's address in the process heap. */
  ptr: bigint;
  /** The context it was made in. */
  ctx: VContext;
  /** The kernel's uobject handle. */
  handle: number;
  /** MR: addr, length, lkey; CQ/QP: the buffer libmlx5 allocated. */
  addr: number;
  /** MR: the registered length; CQ/QP: the buffer's length. */
  length: number;
  /** MR: the local key. */
  lkey: number;
  /** QP: the queue pair number. */
  qpn: number;
  /** QP: send queue producer index. */
  sqHead: number;
  /** QP: receive queue producer index. */
  rqHead: number;
}

/** A context or an object the library allocated. */
type VEntry = VContext | VObject;

/** The library's state in one process. */
export class VerbsProcess {
  /** The structs the library allocated, by address. */
  readonly objs: Map<bigint, VEntry> = new Map();
  /** Like glibc's first chunks: 0x2a0 into the heap, 0x100 apart. */
  private next: bigint;
  /** State for a process whose heap starts at `heapStart`. */
  constructor(heapStart: number) {
    this.next = BigInt(heapStart) + 0x2a0n;
  }
  /** The address of a new struct: the next heap chunk. */
  newPtr(): bigint {
    const p = this.next;
    this.next += 0x100n;
    return p;
  }
}

/** What a verb returns, with the syscalls it made (as strace -f would show them). */
export interface VerbResult {
  /** The C return value: a pointer (0n = NULL), 0 / an errno, or -1. */
  ret: bigint;
  /** errno, for a NULL pointer or -1. */
  errno?: number;
  /** The struct fields the result shows: `{cmd_fd=3, async_fd=4}`. */
  fields?: string;
  /** Lines of the syscalls made, in strace form. */
  trace: string[];
  /** A user access raised this signal (the doorbell store after device loss, under sigbus). */
  sig?: SigInfo;
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** ` = 3`, ` = 0x7f...`, ` = -1 EINVAL (Invalid argument)` */
function retText(r: number, addr = false): string {
  if (isErr(r)) return `= -1 ${errnoName(-r)} (${strerror(-r)})`;
  return `= ${addr ? hex(r) : r}`;
}

function sys(p: Process, trace: string[], line: string, name: string, args: unknown[]): number {
  const r = syscall(p, name, args).ret;
  trace.push(`${line} ${retText(r, name === "mmap" && !isErr(r))}`);
  return r;
}

function mapAnon(p: Process, trace: string[], len: number): number {
  return sys(
    p,
    trace,
    `mmap(NULL, ${len}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`,
    "mmap",
    [0n, BigInt(len), BigInt(PROT_READ | PROT_WRITE), BigInt(MAP_PRIVATE | MAP_ANONYMOUS), -1n, 0n],
  );
}

function unmap(p: Process, trace: string[], addr: number, len: number): void {
  sys(p, trace, `munmap(${hex(addr)}, ${len})`, "munmap", [BigInt(addr), BigInt(len)]);
}

function nullWith(errno: number, trace: string[]): VerbResult {
  return { ret: 0n, errno, trace };
}

/** The user-space verbs of one machine. */
export class Libibverbs {
  /** The verbs library over the machine's RDMA subsystem. */
  constructor(private readonly sub: RdmaSubsystem) {}

  /** The library's state in process `p`, made on first use. */
  private state(p: Process): VerbsProcess {
    let s = this.sub.userspace.get(p.pid);
    if (s === undefined) this.sub.userspace.set(p.pid, s = new VerbsProcess(p.mm.startBrk));
    return s;
  }

  /** The verbs object a pointer names, of one of `kinds`, or a message for the user. */
  lookup(p: Process, ptr: bigint, kinds: VEntry["kind"][]): VEntry | string {
    const e = this.state(p).objs.get(ptr);
    if (e === undefined) return `${hex(ptr)} is no verbs object of process ${p.pid}`;
    if (!kinds.includes(e.kind)) {
      return `${hex(ptr)} is a struct ibv_${e.kind}, not ibv_${kinds[0]}`;
    }
    return e;
  }

  /** The ufile of a context's command fd, or an errno. */
  private ufile(p: Process, ctx: VContext): UverbsFile | number {
    return uverbsFileOfFd(p, ctx.cmdFd);
  }

  /**
   * ibv_open_device(): open the uverbs node (O_RDWR|O_CLOEXEC), GET_CONTEXT
   * with an async event fd, then libmlx5 maps the context's UAR page
   * (PROT_WRITE, MAP_SHARED, at the offset the kernel handed out).
   */
  openDevice(p: Process, name: string): VerbResult {
    const trace: string[] = [];
    const slot = this.sub.find(name);
    if (slot === undefined || slot.ib.name !== name) return nullWith(ENODEV, trace);
    const path = slot.uverbs.path;
    const fd = sys(p, trace, `openat(AT_FDCWD, "${path}", O_RDWR|O_CLOEXEC)`, "open", [
      path,
      BigInt(O_RDWR | O_CLOEXEC),
    ]);
    if (isErr(fd)) return nullWith(-fd, trace);
    const ufile = uverbsFileOfFd(p, fd) as UverbsFile;
    const resp = cmdGetContext(p, ufile, true);
    const fail = (errno: number) => {
      sys(p, trace, `close(${fd})`, "close", [BigInt(fd)]);
      return nullWith(errno, trace);
    };
    if (typeof resp === "number") return fail(-resp);
    if (isErr(resp.asyncFd)) return fail(-resp.asyncFd);
    const uar = sys(
      p,
      trace,
      `mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, ${fd}, ${
        resp.uarOffset === 0 ? "0" : hex(resp.uarOffset)
      })`,
      "mmap",
      [0n, 4096n, BigInt(PROT_WRITE), BigInt(MAP_SHARED), BigInt(fd), BigInt(resp.uarOffset)],
    );
    if (isErr(uar)) {
      sys(p, trace, `close(${resp.asyncFd})`, "close", [BigInt(resp.asyncFd)]);
      return fail(-uar);
    }
    const st = this.state(p);
    const ctx: VContext = {
      kind: "context",
      ptr: st.newPtr(),
      device: name,
      cmdFd: fd,
      asyncFd: resp.asyncFd,
      uar,
      bfOffset: MLX5_BF_OFFSET,
    };
    st.objs.set(ctx.ptr, ctx);
    return { ret: ctx.ptr, fields: `{cmd_fd=${fd}, async_fd=${resp.asyncFd}}`, trace };
  }

  /** A new object record. */
  private add(p: Process, kind: VObject["kind"], ctx: VContext, handle: number): VObject {
    const st = this.state(p);
    const o: VObject = {
      kind,
      ptr: st.newPtr(),
      ctx,
      handle,
      addr: 0,
      length: 0,
      lkey: 0,
      qpn: 0,
      sqHead: 0,
      rqHead: 0,
    };
    st.objs.set(o.ptr, o);
    return o;
  }

  /** ibv_alloc_pd() */
  allocPd(p: Process, ctx: VContext): VerbResult {
    const uf = this.ufile(p, ctx);
    if (typeof uf === "number") return nullWith(-uf, []);
    const h = cmdAllocPd(uf);
    if (h < 0) return nullWith(-h, []);
    return { ret: this.add(p, "pd", ctx, h).ptr, trace: [] };
  }

  /** ibv_reg_mr(): the kernel pins [addr, addr+length) (ib_umem_get). */
  regMr(p: Process, pd: VObject, addr: number, length: number, access: number): VerbResult {
    const uf = this.ufile(p, pd.ctx);
    if (typeof uf === "number") return nullWith(-uf, []);
    const r = cmdRegMr(p, uf, pd.handle, addr, length, access);
    if (typeof r === "number") return nullWith(-r, []);
    const mr = this.add(p, "mr", pd.ctx, r.handle);
    mr.addr = addr;
    mr.length = length;
    mr.lkey = r.lkey;
    return {
      ret: mr.ptr,
      fields: `{addr=${hex(addr)}, length=${length}, lkey=${hex(r.lkey)}, rkey=${hex(r.rkey)}}`,
      trace: [],
    };
  }

  /**
   * ibv_create_cq(): libmlx5 rounds cqe + 1 up to a power of two, allocates
   * the CQ buffer (64-byte CQEs, whole pages) and the kernel pins it.
   */
  createCq(p: Process, ctx: VContext, cqe: number): VerbResult {
    const trace: string[] = [];
    const uf = this.ufile(p, ctx);
    if (typeof uf === "number") return nullWith(-uf, trace);
    if (cqe < 1 || cqe > 1 << 22) return nullWith(EINVAL, trace);
    let n = 1;
    while (n < cqe + 1) n *= 2;
    const len = Math.ceil((n * MLX5_CQE_SIZE) / 4096) * 4096;
    const buf = mapAnon(p, trace, len);
    if (isErr(buf)) return nullWith(-buf, trace);
    // mlx5_alloc_cq_buf(): every CQE starts owned by software (op_own = MLX5_CQE_INVALID << 4).
    for (let i = 0; i < n; i++) cpuWrite(p, buf + i * MLX5_CQE_SIZE + 63, new Uint8Array([0xf0]));
    const h = cmdCreateCq(p, uf, n, buf);
    if (h < 0) {
      unmap(p, trace, buf, len);
      return nullWith(-h, trace);
    }
    const cq = this.add(p, "cq", ctx, h);
    cq.addr = buf;
    cq.length = len;
    return { ret: cq.ptr, fields: `{cqe=${n - 1}}`, trace };
  }

  /**
   * ibv_create_qp() (RC, 16 send and 16 receive WRs): libmlx5 allocates the
   * work queue buffer (send queue of 64-byte WQEs, then the receive queue),
   * the kernel pins it.
   */
  createQp(p: Process, pd: VObject, scq: VObject, rcq: VObject): VerbResult {
    const trace: string[] = [];
    const uf = this.ufile(p, pd.ctx);
    if (typeof uf === "number") return nullWith(-uf, trace);
    const len = 4096;
    const buf = mapAnon(p, trace, len);
    if (isErr(buf)) return nullWith(-buf, trace);
    // mlx5_alloc_qp_buf(): the work queues start zeroed (memset).
    cpuFill(p, buf, 0, len);
    const r = cmdCreateQp(p, uf, pd.handle, scq.handle, rcq.handle, buf, len);
    if (typeof r === "number") {
      unmap(p, trace, buf, len);
      return nullWith(-r, trace);
    }
    const qp = this.add(p, "qp", pd.ctx, r.handle);
    qp.addr = buf;
    qp.length = len;
    qp.qpn = r.qpn;
    return { ret: qp.ptr, fields: `{qp_num=${r.qpn}}`, trace };
  }

  /**
   * mlx5_post_send(): a SEND WQE (control and data segments, big endian)
   * into the next send queue slot, then the doorbell: the control
   * segment's first 8 bytes stored to the UAR page's current BlueFlame
   * buffer, which alternates between 0x800 and 0x900. No syscall: after
   * device loss it still returns 0 unless the store faults.
   */
  postSend(p: Process, qp: VObject, mr: VObject, length: number): VerbResult {
    const slot = qp.sqHead % 16;
    const wqe = new Uint8Array(32);
    const v = new DataView(wqe.buffer);
    // mlx5_wqe_ctrl_seg: opmod_idx_opcode (wqe index << 8 | MLX5_OPCODE_SEND 0x0a), qpn_ds (qpn << 8 | 2).
    v.setUint32(0, ((qp.sqHead & 0xffff) << 8) | 0x0a);
    v.setUint32(4, ((qp.qpn & 0xffffff) << 8) | 2);
    // mlx5_wqe_data_seg: byte_count, lkey, addr.
    v.setUint32(16, length);
    v.setUint32(20, mr.lkey);
    v.setBigUint64(24, BigInt(mr.addr));
    const w = cpuWrite(p, qp.addr + slot * 64, wqe);
    if (w.sig !== undefined) return { ret: 0n, trace: [], sig: w.sig };
    qp.sqHead++;
    return this.doorbell(p, qp.ctx, wqe.subarray(0, 8));
  }

  /**
   * The 8-byte MMIO store of a doorbell. It goes where the PTE points: a
   * live BAR page (the register model logs it), or whatever the device
   * loss left there.
   */
  private doorbell(p: Process, ctx: VContext, bytes: Uint8Array): VerbResult {
    const at = ctx.uar + ctx.bfOffset;
    ctx.bfOffset ^= MLX5_BF_SIZE;
    const w = cpuWrite(p, at, bytes);
    if (w.sig !== undefined) return { ret: 0n, trace: [], sig: w.sig };
    return { ret: 0n, trace: [] };
  }

  /**
   * mlx5_post_recv(): a data segment into the next receive queue slot
   * (after the send queue) and the doorbell record, both in user memory:
   * no MMIO at all.
   */
  postRecv(p: Process, qp: VObject, mr: VObject, length: number): VerbResult {
    const seg = new Uint8Array(16);
    const v = new DataView(seg.buffer);
    v.setUint32(0, length);
    v.setUint32(4, mr.lkey);
    v.setBigUint64(8, BigInt(mr.addr));
    const w = cpuWrite(p, qp.addr + 1024 + (qp.rqHead % 16) * 16, seg);
    if (w.sig !== undefined) return { ret: 0n, trace: [], sig: w.sig };
    qp.rqHead++;
    return { ret: 0n, trace: [] };
  }

  /**
   * The destroy verbs: the kernel command, then libmlx5 frees the CQ or QP
   * buffer. They work after device loss. Returns 0 or an errno.
   */
  destroy(p: Process, o: VObject): VerbResult {
    const trace: string[] = [];
    const uf = this.ufile(p, o.ctx);
    if (typeof uf === "number") return { ret: BigInt(-uf), trace };
    const r = cmdDestroy(uf, o.handle, o.kind as UobjectKind);
    if (r < 0) return { ret: BigInt(-r), trace };
    if (o.kind === "cq" || o.kind === "qp") unmap(p, trace, o.addr, o.length);
    this.state(p).objs.delete(o.ptr);
    return { ret: 0n, trace };
  }

  /** ibv_close_device(): unmap the UAR, close the async fd and the command fd. */
  closeDevice(p: Process, ctx: VContext): VerbResult {
    const trace: string[] = [];
    unmap(p, trace, ctx.uar, 4096);
    sys(p, trace, `close(${ctx.asyncFd})`, "close", [BigInt(ctx.asyncFd)]);
    sys(p, trace, `close(${ctx.cmdFd})`, "close", [BigInt(ctx.cmdFd)]);
    const st = this.state(p);
    for (const [k, e] of st.objs) {
      if (e === ctx || (e.kind !== "context" && e.ctx === ctx)) st.objs.delete(k);
    }
    return { ret: 0n, trace };
  }

  /** The async fd ibv_get_async_event() reads. */
  asyncFd(ctx: VContext): number {
    return ctx.asyncFd;
  }
}

/** ibv_get_async_event()'s result, from the 16 bytes read: `{event_type=..., element=0}`. */
export function asyncEventFields(b: Uint8Array): string {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const element = v.getBigUint64(0, true);
  const type = v.getUint32(8, true);
  return `{event_type=${IBV_EVENT_NAMES[type] ?? type}, element=${element}}`;
}

export type { VContext, VEntry, VObject };
