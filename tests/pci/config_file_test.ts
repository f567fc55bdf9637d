import assert from "node:assert/strict";
import { DEFAULT_PCI, lspciEntries, Machine, parsePciConfig, type PciConfig } from "../../mod.ts";

const DEFAULT_TEXT = `# the default machine, as a file
host-bridge id=8086:2020 rev=04
root-port rp1 at=01.0 id=8086:2030 rev=04
switch sw at=rp1 id=10b5:8747 rev=ca ports=2
endpoint mlx at=sw.0 id=15b3:1017 class=020000 subsys=15b3:0007 driver=mlx5_core bar0=mem64,pref,32M vfs=4 numvfs=1 vf-id=1018 vf-bar0=mem64,pref,1M
endpoint gpu at=sw.1 id=10de:20f1 rev=a1 class=030200 subsys=10de:145f driver=nvidia bar0=mem64,16M bar2=mem64,pref,64G bar4=mem64,pref,32M
root-port rp2 at=02.0 id=8086:2031 rev=04
endpoint nic at=rp2 id=8086:10fb rev=01 class=020000 subsys=8086:0003 driver=ixgbe bar0=mem64,512K bar2=io,32 bar4=mem64,16K
root-port rp3 at=03.0 id=8086:2032 rev=04   # NVMe
endpoint nvme at=rp3 id=144d:a80a class=010802 subsys=144d:a801 driver=nvme bar0=mem64,16K
`;

Deno.test("topology file: the default machine written as a file builds the same machine", () => {
  const c = parsePciConfig(DEFAULT_TEXT);
  assert.ok(!("error" in c), JSON.stringify(c));
  const a = lspciEntries(new Machine({ pci: c as PciConfig }).pci);
  const b = lspciEntries(new Machine({ pci: DEFAULT_PCI }).pci);
  assert.deepEqual(a, b);
});

Deno.test("topology file: a malformed line is FILE:LINE: error: what", () => {
  const err = (text: string) => (parsePciConfig(text, "lab.pci") as { error: string }).error;
  assert.equal(
    err("root-port rp1 at=01.0 id=8086:2030\n\nbridge b at=rp1"),
    "lab.pci:3: error: unknown node kind bridge; kinds: host-bridge, root-port, switch, endpoint",
  );
  assert.equal(err("root-port rp1 at=01.0"), "lab.pci:1: error: root-port rp1 needs id=");
  assert.equal(
    err("root-port rp1 at=01.0 id=8086:zz"),
    "lab.pci:1: error: id=8086:zz: want VENDOR:DEVICE in hex (15b3:1017)",
  );
  assert.match(
    err("root-port rp1 at=01.0 id=1:2 color=red"),
    /^lab.pci:1: error: root-port takes no color/,
  );
  assert.match(
    err("endpoint e at=rp1 id=1:2 bar0=mem64,pref"),
    /^lab.pci:1: error: bar0: size pref/,
  );
  // The topology's own checks, at the line of the node they name.
  assert.equal(
    err("root-port rp1 at=01.0 id=8086:2030\nendpoint e at=rp9 id=1:2"),
    "lab.pci:2: error: e: at=rp9 names no root port or switch downstream port (SWITCH.N)",
  );
  assert.match(
    err("root-port rp1 at=01.0 id=8086:2030\nendpoint e at=rp1 id=1:2 bar0=mem64,3000"),
    /^lab.pci:2: error: e: BAR0 size 3000: a power of two/,
  );
});
