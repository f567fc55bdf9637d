/**
 * O_DIRECT on an ext4 file (lib/fs/direct_io.ts): the user pages are held
 * per dio.pinType for the I/O and given back; the cached pages of a
 * written range leave the cache. The host-checked behaviour is in
 * tests/conformance/odirect_*.mm.
 */
import assert from "node:assert/strict";
import { checkInvariants, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  O_CREAT,
  O_DIRECT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";

const B = 0x7f0000000000;

for (const [pinType, counted] of [["pin", 2], ["get", 0]] as const) {
  Deno.test(`direct I/O on ext4: dio.pinType=${pinType} holds the pages for the I/O only`, () => {
    const m = new Machine({ policies: { "dio.pinType": pinType } });
    const p = m.init;
    const fd = syscall(p, "open", ["/tmp/f", O_RDWR | O_CREAT | O_DIRECT, 0o644]).ret;
    syscall(p, "mmap", [
      B,
      0x2000,
      PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
      -1,
      0,
    ]);
    cpuWrite(p, B, new Uint8Array(0x2000).fill(7));
    assert.equal(syscall(p, "pwrite", [fd, B, 0x1000, 0]).ret, 0x1000);
    assert.equal(syscall(p, "pread", [fd, B + 0x1000, 0x1000, 0]).ret, 0x1000);
    assert.equal(m.vmstat.follPinAcquired, counted);
    assert.equal(m.vmstat.follPinReleased, counted);
    const inode = m.fs.lookup("/tmp/f")!;
    assert.equal(inode.pages.size, 0, "no page cache involved");
    assert.equal(inode.size, 0x1000);
    assert.deepEqual(checkInvariants(m), []);
  });
}
