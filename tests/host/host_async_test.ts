/**
 * mmhost's asynchronous tagged replies, on the host kernel: a request to a
 * thread that blocks answers `pending`, requests to other threads run at
 * once meanwhile, and the blocked thread's reply comes later on its own
 * (`0 poll`), e.g. a read() on a pipe that another thread's write() wakes.
 */
import assert from "node:assert/strict";
import { buildHost } from "../../repl/host/build.ts";
import { decodeBytes, encodeBytes, HostServer } from "../../repl/host/protocol.ts";

const timespec = (ns: number) => {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  dv.setBigInt64(8, BigInt(ns % 1e9), true);
  return encodeBytes(b);
};

Deno.test("mmhost: a blocked thread's reply is late and tagged; the others run meanwhile", async (t) => {
  const build = await buildHost();
  if ("skip" in build) {
    t.step({ name: `skipped: ${build.skip}`, ignore: true, fn: () => {} });
    return;
  }
  const dir = await Deno.makeTempDir();
  const server = HostServer.start(build.bin, dir);
  try {
    // A stack (mmap, x86-64 syscall 9) and a thread on it: virtual tid 2.
    const [stack] = await server.call(1, "sys 9 0 100000 3 22 ffffffffffffffff 0");
    assert.match(stack, /^= 7f/);
    assert.deepEqual(await server.call(1, `thread ${stack.slice(2)} 100000`), ["= 2"]);

    // nanosleep (35) for 2 s in thread 2: pending after mmhost's bound, and long
    // enough that a loaded machine still finds thread 2 busy below.
    const t0 = Date.now();
    assert.deepEqual(await server.call(2, `sys 23 0 0 0 0 0 0 s0=${timespec(2000e6)}`), [
      "pending",
    ]);
    // The main thread answers at once (getpid, 39), and thread 2 is busy.
    assert.match((await server.call(1, "sys 27 0 0 0 0 0 0"))[0], /^= [0-9a-f]+$/);
    assert.deepEqual(await server.call(2, "sys 27 0 0 0 0 0 0"), ["busy"]);
    // (Thread 2 still answering busy shows the main thread did not wait for its sleep.)
    assert.equal(server.late(2), undefined);
    assert.deepEqual(await server.awaitLate(2), ["= 0"]);
    assert.ok(Date.now() - t0 >= 1990, "the sleep's reply came before its end");

    // pipe (22) into the scratch buffer: two fds.
    const [p] = await server.call(1, "sys 16 0 0 0 0 0 0 b0=0 r0=8");
    const fds = decodeBytes(p.split(" ")[2]);
    const rfd = fds[0].toString(16), wfd = fds[4].toString(16);
    // read (0) blocks in thread 2 until thread 1 writes (1).
    assert.deepEqual(await server.call(2, `sys 0 ${rfd} 0 5 0 0 0 b1=0 r1=ret`), ["pending"]);
    await server.poll(20);
    assert.equal(server.late(2), undefined, "the read ended with nothing written");
    assert.deepEqual(
      await server.call(
        1,
        `sys 1 ${wfd} 0 5 0 0 0 s1=${encodeBytes(new TextEncoder().encode("hello"))}`,
      ),
      ["= 5"],
    );
    // The woken reader's reply comes within a settle time.
    await server.poll(1000);
    assert.deepEqual(server.late(2), [`= 5 ${encodeBytes(new TextEncoder().encode("hello"))}`]);
    // Thread 2 serves requests again.
    assert.match((await server.call(2, "sys 27 0 0 0 0 0 0"))[0], /^= [0-9a-f]+$/);

    // A slow memset (byte by byte over 128 MiB) in thread 2 that ends in a
    // PROT_NONE page: SIGSEGV under SIG_DFL kills the process; the late reply
    // carries the fault and the wait status, as a prompt one does.
    const [big] = await server.call(1, "sys 9 0 8001000 3 22 ffffffffffffffff 0");
    const a = BigInt("0x" + big.slice(2));
    assert.deepEqual(await server.call(1, `sys a ${(a + 0x8000000n).toString(16)} 1000 0 0 0 0`), [
      "= 0",
    ]);
    assert.deepEqual(await server.call(1, "signal b 0"), ["= 0"]);
    let lines = await server.call(2, `cpu f ${a.toString(16)} 1 8001000`);
    // (Here it takes well over mmhost's 40 ms bound and replies late; a
    // prompt reply must read the same.)
    if (lines[0] === "pending") lines = await server.awaitLate(2);
    assert.deepEqual(lines, [
      `sig b 2 ${(a + 0x8000000n).toString(16)} ffffffffffffffff 8000000`,
      "exit 8b",
    ]);
    assert.deepEqual(await server.call(1, "sys 27 0 0 0 0 0 0"), ["dead"]);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
