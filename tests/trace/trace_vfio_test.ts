/** trace and explain on a vfio-pci BAR mapping whose device has PCI_COMMAND_MEMORY clear (lab 13). */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

Deno.test("trace: a vfio BAR fault with memory disabled names the handler, the knob and SIGBUS", async () => {
  const s = new Session();
  const out: string[] = [];
  for (
    const l of [
      "device-bind 05:00.0 vfio-pci",
      'c = open("/dev/vfio/vfio", O_RDWR)',
      'g = open("/dev/vfio/10", O_RDWR)',
      "ioctl(c, VFIO_GET_API_VERSION)",
      "ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU)",
      "ioctl(g, VFIO_GROUP_SET_CONTAINER, [c])",
      "ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)",
      'd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")',
      "ioctl(d, VFIO_DEVICE_GET_INFO, {argsz=24})",
      "ioctl(d, VFIO_DEVICE_GET_REGION_INFO, {argsz=32, index=0})",
      "ioctl(d, VFIO_DEVICE_GET_REGION_INFO, {argsz=32, index=7})",
      "bar = mmap(0x7f0000000000, 512K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)",
      "peek(bar + 0x10, 4)",
      "poke(bar + 0x40, 1)",
      'pread(d, "", 2, 0x70000000004)',
      'pwrite(d, "\\x01\\x00", 2, 0x70000000004)',
      "explain bar + 0x2000 r",
      "trace on",
      "peek(bar + 0x2000, 4)",
      "trace off",
    ]
  ) out.push(...(await s.run(l)).output);
  // explain asks the handler's own decision (vfio_pci_mmap_huge_fault): SIGBUS, not just "a driver fault".
  assert.ok(
    out.includes("  outcome:  sigbus (SIGBUS BUS_ADRERR si_addr=0x7f0000002000)"),
    out.join("\n"),
  );
  assert.ok(out.includes("  policy:   vfio.faultImpl=huge-fault"), out.join("\n"));
  assert.ok(
    out.some((l) =>
      l.startsWith(
        "trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → __do_fault → vfio_pci_mmap",
      ) &&
      l.endsWith("PCI_COMMAND_MEMORY clear: VM_FAULT_SIGBUS")
    ),
    out.join("\n"),
  );
  assert.ok(
    out.includes("trace: do_user_addr_fault: SIGBUS BUS_ADRERR si_addr=0x7f0000002000"),
    out.join("\n"),
  );
  assert.ok(out.some((l) => l.startsWith("--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR")));
});
