/**
 * The perf test's server, in a process of its own (as `deno task web`
 * runs): a machine with 65,530 VMAs (vm.max_map_count) and 1 GiB touched,
 * built with mod.ts's syscall() (tens of thousands of mprotect calls would
 * take long typed as commands), served by the WebApp web/server.ts serves.
 * Prints the address, like web/server.ts.
 * @module
 */

import { syscall } from "../../mod.ts";
import { WebApp } from "../../web/app.ts";

const t0 = performance.now();
const app = new WebApp({ config: { ramBytes: 2 * 2 ** 30 } });
const touch = await app.command(
  "b = mmap(NULL, 1G, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)",
);
if (!touch.output[0].startsWith("= 0x")) throw new Error(touch.output.join("\n"));
await app.command("c = mmap(NULL, 512M, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
const p = app.session.machine.process(1)!;
const c = Number(app.session.vars.get("c"));
// Every other page writable: each mprotect splits off two more VMAs.
for (let i = 0; p.mm.mapCount < 65530; i++) {
  if (syscall(p, "mprotect", [BigInt(c + (2 * i + 1) * 4096), 4096n, 3n]).ret < 0) break;
}
console.log(`setup: ${p.mm.mapCount} VMAs in ${(performance.now() - t0).toFixed(0)} ms`);
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`mmlab web view on http://127.0.0.1:${port}/`),
}, (req) => app.handle(req));
