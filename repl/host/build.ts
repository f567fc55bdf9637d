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
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("gcc", {
      args: ["-O2", "-Wall", "-o", bin, SOURCE.pathname],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    if (e instanceof Deno.errors.NotFound) {
      return { skip: "gcc is not installed: the host-kernel comparison needs it to build mmhost" };
    }
    throw e;
  }
  if (!out.success) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error(`gcc failed on mmhost.c:\n${new TextDecoder().decode(out.stderr)}`);
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

/** The host server binary (compiled on first use), or a skip reason. */
export function buildHost(): Promise<HostBuild> {
  cached ??= compile();
  return cached;
}
