import assert from "node:assert/strict";
import fc from "fast-check";
import {
  any,
  clear,
  combine,
  has,
  parseVmFlags,
  set,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DROPPABLE,
  VM_MAYREAD,
  VM_MERGEABLE,
  VM_NORESERVE,
  VM_READ,
  VM_SEALED,
  VM_UFFD_MINOR,
  VM_WIPEONFORK,
  VM_WRITE,
  vmFlagsText,
  xor,
} from "../../lib/mm/vm_flags.ts";

Deno.test("vm_flags: high bits survive set/clear/has/combine", () => {
  const f = combine(VM_READ, VM_DROPPABLE, VM_SEALED, VM_MERGEABLE);
  assert.ok(has(f, VM_DROPPABLE) && has(f, VM_SEALED) && has(f, VM_MERGEABLE) && has(f, VM_READ));
  assert.ok(!has(f, VM_UFFD_MINOR));
  const g = clear(f, VM_SEALED);
  assert.ok(!has(g, VM_SEALED) && has(g, VM_DROPPABLE));
  assert.ok(any(g, combine(VM_UFFD_MINOR, VM_DROPPABLE)));
  assert.equal(set(0, VM_UFFD_MINOR), 2 ** 41);
  // Low bits can be tested with & even when high bits are set.
  assert.equal(f & VM_READ, VM_READ);
});

Deno.test("vm_flags: the word operations equal 64-bit integer arithmetic, low words or not", () => {
  // Words below 2^32 take the 32-bit fast path; others are split in halves.
  const word = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }).map(Number),
  );
  fc.assert(
    fc.property(word, word, (a, b) => {
      const A = BigInt(a), B = BigInt(b);
      assert.equal(set(a, b), Number(A | B));
      assert.equal(clear(a, b), Number(A & ~B));
      assert.equal(xor(a, b), Number(A ^ B));
      assert.equal(any(a, b), (A & B) !== 0n);
      assert.equal(has(a, b), (A & B) === B);
    }),
    { seed: 7, numRuns: 2000 },
  );
});

Deno.test("vm_flags: VmFlags text is in bit order, each mnemonic followed by a space", () => {
  const droppable = combine(
    VM_READ,
    VM_WRITE,
    VM_MAYREAD,
    VM_NORESERVE,
    VM_WIPEONFORK,
    VM_DONTDUMP,
    VM_DROPPABLE,
    VM_ACCOUNT,
  );
  assert.equal(vmFlagsText(droppable), "rd wr mr ac nr wf dd dp ");
  assert.equal(vmFlagsText(parseVmFlags("rd wr mr mw me ac")), "rd wr mr mw me ac ");
  assert.equal(vmFlagsText(combine(VM_SEALED, VM_UFFD_MINOR)), "ui sl ");
});

Deno.test("vm_flags: no lib/ code combines a flag above bit 30 with a bare | or &", async () => {
  const high = "VM_(DROPPABLE|UFFD_MINOR|SEALED|SHADOW_STACK|MERGEABLE)";
  const bad = new RegExp(`${high}\\s*[|&]|[|&]\\s*${high}`);
  const offenders: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (path.endsWith(".ts") && !path.endsWith("vm_flags.ts")) {
        (await Deno.readTextFile(path)).split("\n").forEach((line, i) => {
          if (
            bad.test(line) && !line.trimStart().startsWith("*") &&
            !line.trimStart().startsWith("//")
          ) {
            offenders.push(`${path}:${i + 1}: ${line.trim()}`);
          }
        });
      }
    }
  };
  await walk(new URL("../../lib", import.meta.url).pathname);
  assert.deepEqual(offenders, []);
});
