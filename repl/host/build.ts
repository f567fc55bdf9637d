/**
 * Builds the host backend (mmhost.c) with gcc, once per process, into a
 * temporary directory that is removed when the process ends. Where the
 * host cannot run it (no gcc, not Linux x86-64, no permission to run
 * programs) the result says why, so callers can skip with a clear message.
 * @module
 */

/** The compiled server, or why there is none. */
export type HostBuild = { bin: string; dir: string } | { skip: string };

let cached: Promise<HostBuild> | undefined;

const SOURCE = new URL("./mmhost.c", import.meta.url);

async function compile(): Promise<HostBuild> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    return { skip: `the host is ${Deno.build.os}/${Deno.build.arch}, not linux/x86_64` };
  }
  const run = await Deno.permissions.query({ name: "run" });
  if (run.state !== "granted") {
    return { skip: "no permission to run programs (--allow-run is needed for gcc and mmhost)" };
  }
  const dir = await Deno.makeTempDir({ prefix: "mmhost-" });
  const bin = `${dir}/mmhost`;
  const gcc = async (pad: number): Promise<void> => {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("gcc", {
        args: ["-O2", "-Wall", `-DBRK_PAD=${pad}`, "-o", bin, SOURCE.pathname],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (e) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      if (e instanceof Deno.errors.NotFound) throw new NoGcc();
      throw e;
    }
    if (!out.success) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw new Error(`gcc failed on mmhost.c:\n${new TextDecoder().decode(out.stderr)}`);
    }
  };
  try {
    // Twice: the second time .bss is padded so that the image ends where
    // mmlab's program's does, which puts the kernel's start_brk there too.
    await gcc(1);
    const end = imageEnd(await Deno.readFile(bin));
    const pad = IMAGE_END - end - 64;
    if (pad < 1) throw new Error(`mmhost's image ends at +0x${end.toString(16)}, past +0xc000`);
    await gcc(pad);
    const padded = imageEnd(await Deno.readFile(bin));
    if (pageUp(padded) !== IMAGE_END) {
      throw new Error(
        `mmhost's padded image ends at +0x${padded.toString(16)}, not in the page below +0xc000`,
      );
    }
  } catch (e) {
    if (e instanceof NoGcc) {
      return { skip: "gcc is not installed: the host-kernel comparison needs it to build mmhost" };
    }
    throw e;
  }
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  });
  return { bin, dir };
}

class NoGcc extends Error {}

/**
 * Where mmhost's image must end, from its load address: mmlab's program
 * spans [0x555555554000, 0x555555560000) and its heap starts there
 * (lib/proc/exec.ts: startBrk), and the kernel loads a PIE without ASLR at
 * ELF_ET_DYN_BASE = 0x555555554000 with start_brk = PAGE_ALIGN(image end)
 * (fs/binfmt_elf.c: load_elf_binary).
 */
const IMAGE_END = 0x555555560000 - 0x555555554000;

const pageUp = (n: number) => Math.ceil(n / 4096) * 4096;

/** The end of an ELF64 file's highest PT_LOAD segment (p_vaddr + p_memsz). */
export function imageEnd(elf: Uint8Array): number {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = Number(v.getBigUint64(0x20, true));
  const phentsize = v.getUint16(0x36, true);
  const phnum = v.getUint16(0x38, true);
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (v.getUint32(o, true) !== 1) continue; // PT_LOAD
    const vaddr = Number(v.getBigUint64(o + 0x10, true));
    const memsz = Number(v.getBigUint64(o + 0x28, true));
    end = Math.max(end, vaddr + memsz);
  }
  return end;
}

/** The host server binary (compiled on first use), or a skip reason. */
export function buildHost(): Promise<HostBuild> {
  cached ??= compile();
  return cached;
}
