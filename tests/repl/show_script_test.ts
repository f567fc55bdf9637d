import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { diffViews, machineViews } from "../../repl/machine_views.ts";

const MAP = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
const MOD = new URL("../../mod.ts", import.meta.url).href;
const UFFD = [
  MAP,
  "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)",
  "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})",
];

/** Setup lines, then the command whose script is checked. */
const CASES: [string[], string][] = [
  [[], "mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"],
  [[MAP, "poke(a, 1)"], "munmap(a + 4K, 4K)"],
  [[MAP], "mprotect(a, 8K, PROT_READ)"],
  [[MAP, "memset(a, 7, 16K)"], "madvise(a, 8K, MADV_DONTNEED)"],
  [[MAP, "poke(a, 1)"], "fork()"],
  [[MAP], 'poke(a + 10, "hello", 0)'],
  [[MAP, "poke(a, 9, 8)"], "peek(a, 2)"],
  [[MAP], "memset(a + 1K, 255, 6K)"],
  [[MAP], "exec(a)"],
  [
    UFFD,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  ],
  [[MAP, "poke(a, 1)"], "maps"],
  [[MAP, "c = fork()"], "ps"],
];

async function setup(lines: string[]): Promise<Session> {
  const s = new Session();
  for (const l of lines) {
    const r = await s.run(l);
    assert.equal(r.error, undefined, `${l}: ${r.output.join("\n")}`);
  }
  return s;
}

/** Imports printed script text as a module (its ./mod.ts import pointed at this checkout's). */
async function load(text: string): Promise<{ run: (m: unknown) => any }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, text.replace('"./mod.ts"', JSON.stringify(MOD)));
  try {
    return await import(new URL(`file://${file}`).href);
  } finally {
    await Deno.remove(file);
  }
}

for (const [before, cmd] of CASES) {
  Deno.test(`--show-script: ${cmd} does what the command does`, async () => {
    const shown = await setup(before);
    const printed = await shown.run(`${cmd} --show-script`);
    assert.equal(printed.error, undefined, printed.output.join("\n"));
    assert.match(printed.output[0], /^import \{.*\} from "\.\/mod\.ts";$/);
    // Printing the script ran nothing.
    const fresh = await setup(before);
    assert.deepEqual(diffViews(machineViews(shown.machine), machineViews(fresh.machine)), []);

    const viaScript = await setup(before);
    const r = (await load(printed.output.join("\n"))).run(viaScript.machine);
    const viaRepl = await setup(before);
    if (Array.isArray(r)) {
      // A view: the same text.
      assert.deepEqual(r, (await viaRepl.run(cmd)).output);
    } else {
      const j = JSON.parse((await viaRepl.run(`${cmd} --json`)).output.join("\n"));
      const rec = j.results[0];
      if (rec.kind === "syscall") assert.equal(r.ret, rec.ret);
      else {
        // A CPU access: how far it got, whether it faulted, the bytes it loaded.
        assert.equal(rec.kind, "access");
        assert.equal(r.done, rec.done);
        assert.equal(r.sig !== undefined, rec.faulted);
        assert.deepEqual(r.bytes === undefined ? null : [...r.bytes], rec.bytes);
      }
    }
    const d = diffViews(machineViews(viaScript.machine), machineViews(viaRepl.machine));
    assert.deepEqual(d, [], d.join("\n"));
  });
}

Deno.test("--show-script refuses what it does not cover, in one line", async () => {
  const s = new Session();
  const r = await s.run("lspci --show-script");
  assert.match(r.output[0], /--show-script does not cover lspci; it covers every syscall/);
  // An expression is not shown, nor evaluated.
  assert.match((await s.run("x = 5 --show-script")).output[0], /shows a command or a call/);
  assert.equal(s.vars.has("x"), false);
});
