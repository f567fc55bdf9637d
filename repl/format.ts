/**
 * Output in strace's forms: `= 0x7f…` / `= 0` / `= -1 EINVAL (Invalid
 * argument)` results, `--- SIGSEGV {…} ---` signal lines, `+++ exited with
 * 0 +++` ends, strace-escaped strings; plus hexdump -C style memory dumps
 * and the plain value of an expression.
 * @module
 */

import {
  errnoName,
  isErr,
  type Process,
  siCodeName,
  SIGBUS,
  type SigInfo,
  signalName,
  SIGSEGV,
  strerror,
  type SyscallSpec,
} from "../mod.ts";

/** A u64 in C's `%#lx`: `0` for zero, else `0x…`. */
export function hex(v: bigint | number): string {
  const u = BigInt.asUintN(64, BigInt(v));
  return u === 0n ? "0" : `0x${u.toString(16)}`;
}

/**
 * The value of an expression or variable: decimal (signed 64-bit), with the
 * u64 hex beside it when that says more: `= 4096 (0x1000)`, `= -1 (0xff…ff)`.
 */
export function formatValue(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  if (s >= 0n && s < 10n) return s.toString();
  return `${s} (${hex(s)})`;
}

/** A raw syscall return as strace prints it after `= `. */
export function formatReturn(ret: number, kind: SyscallSpec["ret"]): string {
  if (isErr(ret)) return `= -1 ${errnoName(-ret)} (${strerror(-ret)})`;
  return kind === "addr" ? `= ${hex(ret)}` : `= ${ret}`;
}

/** strace's signal-delivery line. */
export function formatSignal(sig: SigInfo): string {
  const name = signalName(sig.signo);
  // Signals that are not faults carry no si_addr (kill: si_pid/si_uid; a lease break's SIGIO).
  if (sig.signo !== SIGSEGV && sig.signo !== SIGBUS) {
    const who = sig.code === 0 ? `, si_pid=${sig.pid ?? 0}, si_uid=0` : "";
    return `--- ${name} {si_signo=${name}, si_code=${siCodeName(sig.signo, sig.code)}${who}} ---`;
  }
  const addr = sig.addr === 0 ? "NULL" : hex(sig.addr);
  let fields = `si_signo=${name}, si_code=${siCodeName(sig.signo, sig.code)}, si_addr=${addr}`;
  if (sig.addrLsb !== undefined) fields += `, si_addr_lsb=${hex(sig.addrLsb)}`;
  return `--- ${name} {${fields}} ---`;
}

/** strace's last line for a process: `+++ exited with 0 +++` or `+++ killed by … +++`. */
export function formatExit(status: NonNullable<Process["exitStatus"]>): string {
  if (status.signal !== undefined) {
    return `+++ killed by ${signalName(status.signal)}${status.core ? " (core dumped)" : ""} +++`;
  }
  return `+++ exited with ${status.code ?? 0} +++`;
}

/**
 * Bytes as strace prints a buffer: a C string with `\n`, `\t`, `\"` and
 * octal escapes, cut at `limit` bytes with `...` after the closing quote.
 */
export function cString(bytes: Uint8Array, limit = 64): string {
  const named: Record<number, string> = {
    9: "\\t",
    10: "\\n",
    11: "\\v",
    12: "\\f",
    13: "\\r",
    34: '\\"',
    92: "\\\\",
  };
  const n = Math.min(bytes.length, limit);
  let s = '"';
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (named[b] !== undefined) s += named[b];
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else {
      // Shortest octal unless the next character is an octal digit.
      const next = i + 1 < n ? bytes[i + 1] : -1;
      s += next >= 0x30 && next <= 0x37
        ? `\\${b.toString(8).padStart(3, "0")}`
        : `\\${b.toString(8)}`;
    }
  }
  s += '"';
  return bytes.length > limit ? `${s}...` : s;
}

/**
 * `hexdump -C` with absolute addresses: 16 bytes a line, hex then ASCII.
 * Runs of identical full lines collapse to `*`, and then the end address
 * closes the dump.
 */
export function hexdump(addr: bigint, bytes: Uint8Array): string[] {
  const width = Math.max(12, (addr + BigInt(bytes.length)).toString(16).length);
  // Addresses in number arithmetic while they stay exact (user addresses do).
  const base = addr + BigInt(bytes.length) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(addr) : -1;
  const at = (off: number) =>
    (base >= 0 ? (base + off).toString(16) : (addr + BigInt(off)).toString(16)).padStart(
      width,
      "0",
    );
  // The lines are written as ASCII bytes into one buffer, decoded once and
  // split: building 130,000 lines by string concatenation costs seconds.
  const rows = Math.ceil(bytes.length / 16);
  const buf = new Uint8Array((rows + 2) * (width + 72));
  let len = 0;
  const text = (s: string) => {
    for (let i = 0; i < s.length; i++) buf[len++] = s.charCodeAt(i);
  };
  let starred = false;
  let anyStar = false;
  for (let off = 0; off < bytes.length; off += 16) {
    const n = Math.min(16, bytes.length - off);
    if (n === 16 && off >= 16 && sameRow(bytes, off - 16, off)) {
      if (!starred) buf[len++] = STAR;
      if (!starred) buf[len++] = NL;
      starred = anyStar = true;
      continue;
    }
    starred = false;
    text(at(off));
    buf[len++] = SP;
    for (let i = 0; i < 16; i++) {
      buf[len++] = SP;
      if (i === 8) buf[len++] = SP;
      if (i < n) {
        const b = bytes[off + i];
        buf[len++] = HEXDIGITS[b >> 4];
        buf[len++] = HEXDIGITS[b & 15];
      } else {
        buf[len++] = SP;
        buf[len++] = SP;
      }
    }
    buf[len++] = SP;
    buf[len++] = SP;
    buf[len++] = BAR;
    for (let i = 0; i < n; i++) {
      const b = bytes[off + i];
      buf[len++] = b >= 0x20 && b < 0x7f ? b : DOT;
    }
    buf[len++] = BAR;
    buf[len++] = NL;
  }
  if (anyStar) {
    text(at(bytes.length));
    buf[len++] = NL;
  }
  if (len === 0) return [];
  return new TextDecoder().decode(buf.subarray(0, len - 1)).split("\n");
}

const SP = 0x20, NL = 0x0a, BAR = 0x7c, DOT = 0x2e, STAR = 0x2a;
/** "0123456789abcdef" as bytes. */
const HEXDIGITS = new TextEncoder().encode("0123456789abcdef");

/** Whether the 16 bytes at `a` and at `b` are equal. */
function sameRow(bytes: Uint8Array, a: number, b: number): boolean {
  for (let i = 0; i < 16; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/** mincore's vector as `[1, 0, 1]`, cut after `limit` entries. */
export function formatVector(vec: Uint8Array, limit = 256): string {
  const items = Array.from(vec.subarray(0, limit), String);
  if (vec.length > limit) items.push("...");
  return `[${items.join(", ")}]`;
}
