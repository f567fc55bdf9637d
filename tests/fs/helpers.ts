/** Shared helpers for the file-syscall tests (tests/fs). */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, mapsLines, type Process, syscall } from "../../mod.ts";
import { MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from "../../lib/abi/mman.ts";
import { installStdio } from "../../lib/fs/syscalls.ts";

export const B = 0x7f0000000000;
export const RW = PROT_READ | PROT_WRITE;
export const SHARED = MAP_SHARED | MAP_FIXED;
export const PRIVATE = MAP_PRIVATE | MAP_FIXED;
export const SIGBUS = 7;
export const BUS_ADRERR = 2;

/**
 * A machine whose init process has fds 0-2 taken (stdin/stdout/stderr), as
 * every process on the real machine does: the first open returns 3.
 */
export function machine(): { m: Machine; p: Process } {
  const m = new Machine();
  installStdio(m.init);
  return { m, p: m.init };
}

export function sys(p: Process, name: string, ...args: unknown[]): number {
  return syscall(p, name, args).ret;
}

export function open(p: Process, path: string, flags: number, mode = 0o644): number {
  return sys(p, "open", path, flags, mode);
}

/** mmap at a fixed address; asserts success. */
export function map(
  p: Process,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd: number,
  off = 0,
) {
  const r = sys(p, "mmap", BigInt(addr), BigInt(len), prot, flags, fd, BigInt(off));
  assert.equal(r, addr, `mmap at ${addr.toString(16)} failed: ${r}`);
  return r;
}

/** Writes an ASCII string with a CPU store; asserts no fault. */
export function poke(p: Process, addr: number, s: string): void {
  const r = cpuWrite(p, addr, new TextEncoder().encode(s));
  assert.equal(r.sig, undefined, `store at ${addr.toString(16)} faulted`);
}

/** Reads `len` bytes as a latin-1 string; asserts no fault. */
export function peek(p: Process, addr: number, len: number): string {
  const r = cpuRead(p, addr, len);
  assert.equal(r.sig, undefined, `load at ${addr.toString(16)} faulted: ${JSON.stringify(r.sig)}`);
  return String.fromCharCode(...r.bytes!);
}

/** One byte through the CPU (-1 if it faulted). */
export function byteAt(p: Process, addr: number): number {
  const r = cpuRead(p, addr, 1);
  return r.sig === undefined ? r.bytes![0] : -1;
}

/** The signal a one-byte load raises, or undefined. */
export function loadSig(p: Process, addr: number) {
  return cpuRead(p, addr, 1).sig;
}

/** pread into no user buffer: the bytes as a latin-1 string, or the error. */
export function pread(p: Process, fd: number, count: number, off: number): string | number {
  const r = syscall(p, "pread", [fd, "", count, off]);
  if (r.ret < 0) return r.ret;
  return String.fromCharCode(...r.data!);
}

export function pwrite(p: Process, fd: number, data: string, off: number): number {
  return sys(p, "pwrite", fd, data, data.length, off);
}

/** Fills [off, off+len) of a file with one character. */
export function fillFile(p: Process, fd: number, ch: string, off: number, len: number): void {
  assert.equal(pwrite(p, fd, ch.repeat(len), off), len);
}

/** maps lines inside the test window 0x7f0000000000.. */
export function windowMaps(p: Process): string[] {
  return mapsLines(p).filter((l) => l.startsWith("7f00"));
}
