import assert from "node:assert/strict";
import { COMMANDS } from "../../repl/commands/index.ts";
import { Session } from "../../repl/session.ts";

for (const [name, cmd] of COMMANDS) {
  Deno.test(`help example of ${name} runs without error`, async () => {
    const s = new Session();
    assert.ok(cmd.example.length > 0, "every command has an example");
    assert.ok(cmd.summary.length > 0 && cmd.help.length > 0);
    for (const line of cmd.example) {
      const r = await s.run(line);
      assert.equal(r.error, undefined, `${line}\n${r.output.join("\n")}`);
    }
    // The example uses the command itself.
    assert.ok(
      cmd.example.some((l) => new RegExp(`^(\\w+ = )?${name}\\b`).test(l)),
      cmd.example.join("\n"),
    );
  });

  Deno.test(`help ${name} shows the synopsis and the example's real output`, async () => {
    const s = new Session();
    const r = await s.run(`help ${name}`);
    assert.equal(r.error, undefined, r.output.join("\n"));
    assert.ok(r.output[0].startsWith(name), r.output[0]);
    const ex = r.output.indexOf("Example:");
    assert.ok(ex > 0);
    assert.equal(r.output[ex + 1], `  [1] mm> ${cmd.example[0]}`);
  });
}

Deno.test("help lists every command; help of a constant and of syntax", async () => {
  const s = new Session();
  const all = (await s.run("help")).output.join("\n");
  for (const name of COMMANDS.keys()) assert.match(all, new RegExp(`\\b${name}\\b`));
  assert.deepEqual((await s.run("help PROT_READ")).output.slice(0, 1), ["PROT_READ = 1"]);
  assert.ok((await s.run("help syntax")).output.length > 5);
  const r = await s.run("help mprotec");
  assert.equal(r.error?.hint, "did you mean mprotect?");
});
