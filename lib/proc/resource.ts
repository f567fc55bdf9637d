/**
 * Resource limits: kernel/sys.c getrlimit, setrlimit, prlimit64 and
 * do_prlimit(). Each process has the table of signal->rlim, copied at
 * fork; the soft limits mm consults (RLIMIT_STACK, RLIMIT_AS, RLIMIT_DATA,
 * RLIMIT_MEMLOCK: stack growth, mremap/mmap's may_expand_vm, mlock's
 * can_do_mlock/mlock_future_ok) live in `mm.rlimits`, in bytes, and are
 * read and written through here; RLIMIT_NOFILE bounds open's fd.
 * @module
 */

import { EFAULT, EINVAL, EPERM, ESRCH } from "../abi/errno.ts";
import {
  RLIM_INFINITY,
  RLIM_NLIMITS,
  RLIMIT_AS,
  RLIMIT_CORE,
  RLIMIT_DATA,
  RLIMIT_MEMLOCK,
  RLIMIT_MSGQUEUE,
  RLIMIT_NICE,
  RLIMIT_NOFILE,
  RLIMIT_NPROC,
  RLIMIT_RTPRIO,
  RLIMIT_SIGPENDING,
  RLIMIT_STACK,
} from "../abi/resource.ts";
import { getUserArg, putUserArg, type UserArg } from "../mm/uaccess.ts";
import type { Process } from "./process.ts";

/** One limit: [rlim_cur, rlim_max], u64 (RLIM_INFINITY = 2^64 - 1). */
export type Rlimit = [cur: bigint, max: bigint];

/** fs/file.c: sysctl_nr_open (1024 * 1024): RLIMIT_NOFILE's max cannot pass it. */
export const NR_OPEN = 1048576n;

const INF = RLIM_INFINITY;

/**
 * The limits a login shell hands its children on the reference machine:
 * the kernel's INIT_RLIMITS with systemd's NOFILE (1024/524288) and
 * MEMLOCK (8 MiB); NPROC and SIGPENDING are max_threads / 2 for 1 GiB
 * (set_max_threads(): RAM / (8 * THREAD_SIZE)).
 */
export function defaultRlimits(): Rlimit[] {
  const t: Rlimit[] = Array.from({ length: RLIM_NLIMITS }, () => [INF, INF] as Rlimit);
  t[RLIMIT_STACK] = [8n << 20n, INF];
  t[RLIMIT_CORE] = [0n, INF];
  t[RLIMIT_NPROC] = [4096n, 4096n];
  t[RLIMIT_NOFILE] = [1024n, 524288n];
  t[RLIMIT_MEMLOCK] = [8n << 20n, 8n << 20n];
  t[RLIMIT_SIGPENDING] = [4096n, 4096n];
  t[RLIMIT_MSGQUEUE] = [819200n, 819200n];
  t[RLIMIT_NICE] = [0n, 0n];
  t[RLIMIT_RTPRIO] = [0n, 0n];
  return t;
}

/** The soft limits kept in mm.rlimits (bytes, Infinity for RLIM_INFINITY). */
const MM_LIMITS: Readonly<Partial<Record<number, "stack" | "as" | "data" | "memlock">>> = {
  [RLIMIT_STACK]: "stack",
  [RLIMIT_AS]: "as",
  [RLIMIT_DATA]: "data",
  [RLIMIT_MEMLOCK]: "memlock",
};

const toU64 = (n: number): bigint => n === Infinity ? INF : BigInt(Math.floor(n));
const toBytes = (v: bigint): number => v === INF ? Infinity : Number(v);

/** task_rlimit() and task_rlimit_max(): a process's limit `resource` now. */
export function getRlimit(p: Process, resource: number): Rlimit {
  const [cur, max] = p.rlim[resource];
  const key = MM_LIMITS[resource];
  return [key === undefined ? cur : toU64(p.mm.rlimits[key]), max];
}

/** Sets a limit without checks (the machine's set-up, a harness adapting to its host). */
export function setRlimit(p: Process, resource: number, lim: Rlimit): void {
  p.rlim[resource] = [lim[0], lim[1]];
  const key = MM_LIMITS[resource];
  if (key !== undefined) p.mm.rlimits[key] = toBytes(lim[0]);
  if (resource === RLIMIT_DATA) p.mm.rlimits.dataMax = toBytes(lim[1]);
}

/** rlimit(RLIMIT_NOFILE) as a number: the first fd open and friends may not use. */
export function nofileLimit(p: Process): number {
  const cur = getRlimit(p, RLIMIT_NOFILE)[0];
  return cur > NR_OPEN ? Number(NR_OPEN) : Number(cur);
}

/**
 * kernel/sys.c do_prlimit(): resource >= RLIM_NLIMITS EINVAL; a new soft
 * limit above its hard one EINVAL; RLIMIT_NOFILE's max above nr_open EPERM;
 * raising a hard limit without CAP_SYS_RESOURCE EPERM. Then the old value
 * is read and the new one stored.
 */
function doPrlimit(p: Process, resource: number, next: Rlimit | null): Rlimit | number {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  if (next !== null) {
    if (next[0] > next[1]) return -EINVAL;
    if (resource === RLIMIT_NOFILE && next[1] > NR_OPEN) return -EPERM;
  }
  const old = getRlimit(p, resource);
  if (next !== null) {
    if (next[1] > old[1] && !p.machine.config.root) return -EPERM;
    setRlimit(p, resource, next);
  }
  return old;
}

function encode(l: Rlimit): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, l[0], true);
  dv.setBigUint64(8, l[1], true);
  return b;
}

function decode(b: Uint8Array): Rlimit {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
}

function asArg(a: bigint | number | UserArg): UserArg {
  return typeof a === "object" ? a : { value: BigInt.asUintN(64, BigInt(a)), literal: null };
}

/** A struct argument's result: the literal's bytes come back as data. */
function out(ret: number, arg: UserArg | null): { ret: number; data?: Uint8Array } {
  return arg === null || arg.literal === null ? { ret } : { ret, data: arg.literal };
}

const u32 = (x: bigint | number) => Number(BigInt.asUintN(32, BigInt(x)));

/** getrlimit(resource, rlim): EINVAL for a bad resource, then EFAULT. */
export function sysGetrlimit(
  p: Process,
  resArg: bigint | number,
  rlimArg: bigint | number | UserArg,
): { ret: number; data?: Uint8Array } {
  const arg = asArg(rlimArg);
  const r = doPrlimit(p, u32(resArg), null);
  if (typeof r === "number") return out(r, arg);
  return out(putUserArg(p, arg, encode(r)) ? 0 : -EFAULT, arg);
}

/** setrlimit(resource, rlim): the struct is read first (EFAULT), then do_prlimit(). */
export function sysSetrlimit(
  p: Process,
  resArg: bigint | number,
  rlimArg: bigint | number | UserArg,
): number {
  const bytes = getUserArg(p, asArg(rlimArg), 16);
  if (bytes === null) return -EFAULT;
  const r = doPrlimit(p, u32(resArg), decode(bytes));
  return typeof r === "number" ? r : 0;
}

/**
 * prlimit64(pid, resource, new_rlim, old_rlim): a NULL pointer leaves that
 * side out. The new limit is read first (EFAULT), then the process (0:
 * the caller; none: ESRCH), then do_prlimit(); the old one is written
 * last, so an EFAULT there comes after the new limit took effect.
 */
export function sysPrlimit64(
  p: Process,
  pidArg: bigint | number,
  resArg: bigint | number,
  newArg: bigint | number | UserArg = 0n,
  oldArg: bigint | number | UserArg = 0n,
): { ret: number; data?: Uint8Array } {
  const na = asArg(newArg), oa = asArg(oldArg);
  const isNull = (a: UserArg) => a.literal === null && a.value === 0n;
  let next: Rlimit | null = null;
  if (!isNull(na)) {
    const bytes = getUserArg(p, na, 16);
    if (bytes === null) return out(-EFAULT, oa);
    next = decode(bytes);
  }
  const pid = Number(BigInt.asIntN(32, BigInt(pidArg)));
  // find_task_by_vpid(): a tid names its thread's group, whose limits they share.
  const t = pid === 0 ? p : p.machine.task(pid)?.group;
  if (t === undefined) return out(-ESRCH, oa);
  const r = doPrlimit(t, u32(resArg), next);
  if (typeof r === "number") return out(r, oa);
  if (isNull(oa)) return { ret: 0 };
  return out(putUserArg(p, oa, encode(r)) ? 0 : -EFAULT, oa);
}
