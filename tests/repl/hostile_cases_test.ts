/**
 * The cases the hostile-arguments property (hostile_args_test.ts) found,
 * kept as plain regressions: each line, its one-line answer, and a machine
 * whose invariants still hold.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

const A = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
const UFFD = [
  "u = userfaultfd(O_NONBLOCK)",
  "ioctl(u, UFFDIO_API, {api=0xaa, features=0})",
  "ioctl(u, UFFDIO_REGISTER, {range={start=a+8K, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
];
const RDMA = ['ctx = ibv_open_device("mlx5_0")', "pd = ibv_alloc_pd(ctx)"];

/** [what, setup, line, the answer's last line] */
const cases: [string, string[], string, RegExp][] = [
  [
    "ibv_reg_mr over a userfaultfd range would sleep: one line, nothing charged",
    [A, ...UFFD, ...RDMA],
    "mr = ibv_reg_mr(pd, a, 16K, IBV_ACCESS_LOCAL_WRITE)",
    /^error: the command would sleep in handle_userfault \(kernel access at 0x[0-9a-f]+ waits for uffd 1\); .*UFFDIO_COPY/,
  ],
  [
    "ioctl with a struct and an unknown request: the families, not every name",
    [A],
    "ioctl(a, -(a), {})",
    /^error at column 16: a \{struct\} needs a request whose struct mmlab knows; requests with structs: FS_IOC_FSGETXATTR, UFFDIO_\*, VFIO_\*; or pass an address$/,
  ],
  [
    "pthread_create --show-script (three syscalls, no spec of its own): refused in one line",
    [A],
    "pthread_create() --show-script",
    /^error: --show-script does not cover pthread_create; it covers every syscall/,
  ],
  [
    "a stray --FLAG names itself and the command's flags",
    [A],
    "pages a --bogus",
    /^error at column 11: unknown name bogus \(no flag --bogus for pages\); its flags: --json$/,
  ],
  [
    "a stray --FLAG naming a command is no 'command, not a value'",
    [A],
    "maps --wait",
    /^error at column 8: unknown name wait \(no flag --wait for maps\); its flags: --json --draw$/,
  ],
];

for (const [what, setup, line, want] of cases) {
  Deno.test(`hostile case: ${what}`, async () => {
    const s = new Session();
    for (const l of setup) {
      const r = await s.run(l);
      assert.equal(r.error, undefined, `${l}: ${r.output.join("\n")}`);
    }
    const r = await s.run(line);
    assert.notEqual(r.error?.kind, "internal", r.output.join("\n"));
    assert.match(r.output.at(-1) ?? "", want);
    assert.deepEqual((await s.run("check")).output, ["ok"]);
    assert.equal((await s.run("maps")).error, undefined);
  });
}
