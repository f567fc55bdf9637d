import assert from "node:assert/strict";
import { vmFlags } from "../../mod.ts";
import { CONSTANTS } from "../../repl/constants.ts";
import {
  constantSource,
  errnoHelp,
  errnoNames,
  VM_FLAG_NAMES,
  vmFlagHelp,
} from "../../repl/help_names.ts";
import { Session } from "../../repl/session.ts";

Deno.test("help EFAULT, help MAP_SHARED, help pf, help uw name their source and man page", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  assert.equal(
    (await s.run("help EFAULT")).output[0],
    "EFAULT 14 Bad address — include/uapi/asm-generic/errno-base.h; errno(3)",
  );
  assert.equal(
    (await s.run("help EHWPOISON")).output[0],
    "EHWPOISON 133 Memory page has hardware error — include/uapi/asm-generic/errno.h; errno(3)",
  );
  assert.deepEqual(
    (await s.run("help MAP_SHARED")).output.slice(0, 2),
    ["MAP_SHARED = 1", "  include/uapi/linux/mman.h; mmap(2)"],
  );
  assert.deepEqual(
    (await s.run("help MADV_DONTFORK")).output.slice(0, 2),
    ["MADV_DONTFORK = 10 (0xa)", "  include/uapi/asm-generic/mman-common.h; madvise(2)"],
  );
  assert.match(
    (await s.run("help pf")).output[0],
    /^pf: VM_PFNMAP \(bit 10\), .* — fs\/proc\/task_mmu\.c show_smap_vma_flags; proc_pid_smaps\(5\)$/,
  );
  assert.match((await s.run("help uw")).output[0], /^uw: VM_UFFD_WP \(bit 12\), /);
  assert.match((await s.run("help EFAUL")).output[0], /did you mean EFAULT\?/);
});

Deno.test("every mnemonic smaps can print has help, naming the flag of its bit", () => {
  const all = vmFlags as unknown as Record<string, number>;
  for (let bit = 0; bit < 64; bit++) {
    const text = vmFlags.vmFlagsText(2 ** bit).trim();
    if (text === "" || text === "??") continue;
    const h = VM_FLAG_NAMES.get(text);
    assert.ok(h !== undefined, `no help for ${text}`);
    assert.equal(all[h.flag], 2 ** bit, `${text}: ${h.flag}`);
    assert.ok(vmFlagHelp(text)![0].startsWith(`${text}: ${h.flag} (bit ${bit}), `));
  }
  assert.equal(vmFlagHelp("zz"), undefined);
});

Deno.test("every errno mmlab returns has help; every constant family has a source", () => {
  const names = errnoNames();
  assert.ok(names.length >= 30 && names.includes("ENOMEM") && names.includes("EREMOTEIO"));
  for (const n of names) {
    assert.match(
      errnoHelp(n)![0],
      new RegExp(`^${n} \\d+ .+ — include/uapi/asm-generic/errno(-base)?\\.h; errno\\(3\\)$`),
    );
  }
  for (const c of CONSTANTS.values()) {
    assert.ok(constantSource(c.name) !== undefined, `no source for ${c.name}`);
  }
});

Deno.test("help completes errno names and VmFlags mnemonics too", async () => {
  const { complete } = await import("../../repl/complete.ts");
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  const [efa] = complete(s, "help EFA");
  assert.ok(efa.includes("EFAULT"), efa.join(" "));
  const [u] = complete(s, "help u");
  assert.ok(u.includes("uw") && u.includes("um"), u.join(" "));
});
