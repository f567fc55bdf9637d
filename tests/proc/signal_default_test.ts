import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

// kernel/signal.c SIG_KERNEL_IGNORE_MASK: SIGCONT, SIGCHLD, SIGWINCH and
// SIGURG under SIG_DFL do not end the process; SIGTERM does.
Deno.test("kill(2) with a default action: SIGCONT/SIGCHLD/SIGURG/SIGWINCH leave the child alive, SIGTERM ends it", async () => {
  for (const [signo, alive] of [[18, true], [17, true], [23, true], [28, true], [15, false]]) {
    const s = new Session();
    await s.run("c = fork()");
    // mmlab's programs catch signals unless told otherwise: SIG_DFL in the child.
    assert.ok((await s.run(`@c signal(${signo}, SIG_DFL)`)).output.includes("= 0"));
    assert.ok((await s.run(`kill(c, ${signo})`)).output.includes("= 0"));
    const ps = (await s.run("ps")).output.join("\n");
    assert.equal(/^\s+2\s+1 R /m.test(ps), alive, `signal ${signo}:\n${ps}`);
  }
});
