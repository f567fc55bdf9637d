import assert from "node:assert/strict";
import {
  cString,
  formatExit,
  formatReturn,
  formatSignal,
  formatValue,
  formatVector,
  hex,
  hexdump,
} from "../../repl/format.ts";

Deno.test("results in strace's form", () => {
  assert.equal(formatReturn(0x7f0000000000, "addr"), "= 0x7f0000000000");
  assert.equal(formatReturn(0, "addr"), "= 0");
  assert.equal(formatReturn(3, "int"), "= 3");
  assert.equal(formatReturn(-22, "int"), "= -1 EINVAL (Invalid argument)");
  assert.equal(formatReturn(-12, "addr"), "= -1 ENOMEM (Cannot allocate memory)");
  assert.equal(hex(-1n), "0xffffffffffffffff");
  assert.equal(formatValue(5n), "5");
  assert.equal(formatValue(4096n), "4096 (0x1000)");
  assert.equal(formatValue(-1n), "-1 (0xffffffffffffffff)");
});

Deno.test("signal and exit lines", () => {
  assert.equal(
    formatSignal({ signo: 11, code: 2, addr: 0x7f0000001000 }),
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f0000001000} ---",
  );
  assert.equal(
    formatSignal({ signo: 11, code: 1, addr: 0 }),
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
  );
  assert.equal(
    formatSignal({ signo: 7, code: 4, addr: 0x1000, addrLsb: 12 }),
    "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_MCEERR_AR, si_addr=0x1000, si_addr_lsb=0xc} ---",
  );
  assert.equal(
    formatSignal({ signo: 11, code: 0x80, addr: 0 }),
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL} ---",
  );
  assert.equal(formatExit({ code: 3 }), "+++ exited with 3 +++");
  assert.equal(formatExit({ signal: 11, core: true }), "+++ killed by SIGSEGV (core dumped) +++");
  assert.equal(formatExit({ signal: 9, core: false }), "+++ killed by SIGKILL +++");
});

Deno.test("buffers: strace strings, mincore vectors, hexdump", () => {
  assert.equal(cString(new TextEncoder().encode('hi\n"x"\\')), '"hi\\n\\"x\\"\\\\"');
  assert.equal(cString(Uint8Array.from([0, 1, 0x31, 0xff])), '"\\0\\0011\\377"');
  assert.equal(cString(new Uint8Array(70), 4), '"\\0\\0\\0\\0"...');
  assert.equal(formatVector(Uint8Array.from([1, 0, 0, 1])), "[1, 0, 0, 1]");
  const bytes = new Uint8Array(64);
  bytes.set(new TextEncoder().encode("hello"));
  assert.deepEqual(hexdump(0x7f0000000000n, bytes), [
    "7f0000000000  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |hello...........|",
    "7f0000000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
    "*",
    "7f0000000040",
  ]);
  assert.deepEqual(hexdump(0x1000n, Uint8Array.from([0x41, 0x42, 0x43])), [
    "000000001000  41 42 43                                          |ABC|",
  ]);
});
