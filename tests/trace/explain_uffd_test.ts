/** explain and trace on a userfaultfd-registered range: a wait, or SIGBUS with UFFD_FEATURE_SIGBUS. */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

async function registered(features: string): Promise<{ s: Session; out: string[] }> {
  const s = new Session();
  const out: string[] = [];
  for (
    const l of [
      "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)",
      `ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=${features}})`,
      "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
      "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
      "explain a w",
      "trace on",
      "poke(a, 1)",
    ]
  ) out.push(...(await s.run(l)).output);
  return { s, out };
}

Deno.test("explain: a missing page in a MISSING-registered range waits in handle_userfault", async () => {
  const { out } = await registered("0");
  assert.ok(out.some((l) => /^ {2}uffd: +ctx \d+ MISSING features 0x0$/.test(l)), out.join("\n"));
  assert.ok(out.includes("  outcome:  userfault"), out.join("\n"));
  assert.ok(
    out.some((l) =>
      l.startsWith(
        "trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_pte_missing → " +
          "do_anonymous_page → handle_userfault: VM_UFFD_MISSING: a uffd_msg is queued",
      )
    ),
    out.join("\n"),
  );
  assert.ok(out.some((l) => l.includes("<unfinished ...>")), out.join("\n"));
});

Deno.test("explain: with UFFD_FEATURE_SIGBUS the same access is SIGBUS BUS_ADRERR", async () => {
  const { out } = await registered("UFFD_FEATURE_SIGBUS");
  assert.ok(
    out.some((l) => /^ {2}outcome: +sigbus \(SIGBUS BUS_ADRERR si_addr=0x/.test(l)),
    out.join("\n"),
  );
  assert.ok(
    out.some((l) => l.startsWith("--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR")),
    out.join("\n"),
  );
});
