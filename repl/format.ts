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
  type SigInfo,
  signalName,
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
  const out: string[] = [];
  let prev: string | null = null;
  let starred = false;
  const width = Math.max(12, (addr + BigInt(bytes.length)).toString(16).length);
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const key = Array.from(row).join(",");
    if (row.length === 16 && key === prev) {
      if (!starred) out.push("*");
      starred = true;
      continue;
    }
    prev = row.length === 16 ? key : null;
    starred = false;
    const hexes: string[] = [];
    for (let i = 0; i < 16; i++) {
      hexes.push(i < row.length ? row[i].toString(16).padStart(2, "0") : "  ");
      if (i === 7) hexes.push("");
    }
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."))
      .join("");
    const at = (addr + BigInt(off)).toString(16).padStart(width, "0");
    out.push(`${at}  ${hexes.join(" ")}  |${ascii}|`);
  }
  if (out.includes("*")) {
    out.push((addr + BigInt(bytes.length)).toString(16).padStart(width, "0"));
  }
  return out;
}

/** mincore's vector as `[1, 0, 1]`, cut after `limit` entries. */
export function formatVector(vec: Uint8Array, limit = 256): string {
  const items = Array.from(vec.subarray(0, limit), String);
  if (vec.length > limit) items.push("...");
  return `[${items.join(", ")}]`;
}
