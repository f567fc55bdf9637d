/** vfio-pci through the REPL: an unbind that waits, interrupted by a signal. */
import assert from "node:assert/strict";
import { Session } from "../../../repl/session.ts";

Deno.test("REPL: a signal ends the unbind's interruptible wait; vfio says so and waits on in D until close", async () => {
  const s = new Session();
  const run = async (l: string) => (await s.run(l)).output;
  for (
    const l of [
      "device-bind 05:00.0 vfio-pci",
      'c = open("/dev/vfio/vfio", O_RDWR)',
      'g = open("/dev/vfio/10", O_RDWR)',
      "ioctl(g, VFIO_GROUP_SET_CONTAINER, [c])",
      "ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)",
      'd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")',
      "t = pthread_create()",
    ]
  ) await run(l);
  assert.deepEqual(await run("@t device-unbind 05:00.0"), [
    'write(/sys/bus/pci/drivers/vfio-pci/unbind, "0000:05:00.0") <unfinished ...> ' +
    "(vfio-pci remove waits in vfio_unregister_group_dev)",
  ]);
  assert.match((await run("threads"))[2], /^ +1 +2 Sl +vfio_unregister_group_dev/);
  await run("sleep 5s");
  await run("kill(1, SIGUSR1)");
  assert.match((await run("threads"))[2], /^ +1 +2 Dl +vfio_unregister_group_dev/);
  const log = await run("dmesg");
  assert.match(
    log.at(-1)!,
    /vfio-pci 0000:05:00.0: Device is currently in use, task "prog" \(2\) blocked until device is released$/,
  );
  // A second signal changes nothing: the wait is uninterruptible now.
  await run("kill(1, SIGUSR1)");
  assert.equal((await run("dmesg")).length, log.length);
  assert.deepEqual(await run("close(d)"), ["= 0", "[pid 2] <... write resumed> = 12"]);
});
