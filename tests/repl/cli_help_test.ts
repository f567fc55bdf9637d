/**
 * `npx -y deno@2.9.6 task NAME --help` prints the usage and exits 0 for
 * every command-line task, run with exactly the permissions deno.json gives
 * it and without NO_COLOR: commander must not read an environment variable
 * the task's --allow-env does not list (it used to die on CLICOLOR_FORCE).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname;
const declared: Record<string, string | { command: string }> = JSON.parse(
  await Deno.readTextFile(`${ROOT}/deno.json`),
).tasks;
/** Each task's command line (a task is a string, or {command, description}). */
const tasks: Record<string, string> = Object.fromEntries(
  Object.entries(declared).map(([k, v]) => [k, typeof v === "string" ? v : v.command]),
);

/** The task's `deno run` argument list, as deno.json writes it. */
function runArgs(name: string): string[] {
  const words = tasks[name].split(/\s+/);
  assert.equal(words[0], "deno", `${name}: ${tasks[name]}`);
  assert.equal(words[1], "run", `${name}: ${tasks[name]}`);
  return words.slice(1);
}

for (
  const [name, usage] of [
    ["repl", "Usage: mmlab"],
    ["lab", "Usage: lab"],
    ["replay", "Usage: replay"],
    ["script", "Usage: script"],
    ["fuzz", "Usage: fuzz"],
    ["soak", "Usage: soak"],
  ] as const
) {
  Deno.test(`cli: task ${name} --help works with the task's own permissions and no NO_COLOR`, async () => {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [...runArgs(name), "--help"],
      cwd: ROOT,
      // A terminal-like environment: no NO_COLOR, but CLICOLOR_FORCE set.
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", CLICOLOR_FORCE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, `exit ${r.code}:\n${err}`);
    assert.ok(out.startsWith(usage), out);
    assert.doesNotMatch(err, /NotCapable|Requires env access/);
    assert.ok(!out.includes("\x1b["), "help is plain text");
  });
}
