/**
 * The host subject starts with exactly the fds mmlab's process has (0, 1,
 * 2): descriptors its caller left open are not inherited, so the first
 * open() returns 3 on both sides.
 */
import assert from "node:assert/strict";
import { buildHost } from "../../repl/host/build.ts";

const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16)).join("");

Deno.test("mmhost: a caller's open fds 3 and 7 do not reach the subject", async (t) => {
  const build = await buildHost();
  if ("skip" in build) {
    t.step({ name: `skipped: ${build.skip}`, ignore: true, fn: () => {} });
    return;
  }
  // The router is started by a shell that leaves fds 3 and 7 open, as `(exec 3<file; task fuzz)`.
  const child = new Deno.Command("sh", {
    args: ["-c", 'exec 3</etc/hostname 7</etc/hostname; exec "$0" router', build.bin],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const w = child.stdin.getWriter();
  // open("/etc/hostname", O_RDONLY) twice: x86-64 syscall 2.
  const open = `1 sys 2 0 0 0 0 0 0 s0=${hex("/etc/hostname")}\n`;
  await w.write(new TextEncoder().encode(open + open + "0 quit\n"));
  await w.close();
  const out = new TextDecoder().decode((await child.output()).stdout);
  assert.deepEqual(out.split("\n").filter((l) => l.startsWith("=")), ["= 3", "= 4"]);
});
