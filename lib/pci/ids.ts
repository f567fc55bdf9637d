/**
 * The names lspci prints, from the pci.ids database (the entries mmlab's
 * machines use; an ID without an entry prints as lspci does: `Device 1234`,
 * `Class 0c80`). Facts, not code: each line is `ID  Name` as pci.ids has it.
 * @module
 */

/** Vendor names by vendor ID. */
export const VENDORS: ReadonlyMap<number, string> = new Map([
  [0x8086, "Intel Corporation"],
  [0x15b3, "Mellanox Technologies"],
  [0x10de, "NVIDIA Corporation"],
  [0x144d, "Samsung Electronics Co Ltd"],
  [0x10b5, "PLX Technology, Inc."],
  [0x1af4, "Red Hat, Inc."],
]);

/** Device names by (vendor << 16 | device). */
export const DEVICES: ReadonlyMap<number, string> = new Map([
  [0x8086_2020, "Sky Lake-E DMI3 Registers"],
  [0x8086_2030, "Sky Lake-E PCI Express Root Port A"],
  [0x8086_2031, "Sky Lake-E PCI Express Root Port B"],
  [0x8086_2032, "Sky Lake-E PCI Express Root Port C"],
  [0x8086_2033, "Sky Lake-E PCI Express Root Port D"],
  [0x8086_10fb, "82599ES 10-Gigabit SFI/SFP+ Network Connection"],
  [0x15b3_1017, "MT27800 Family [ConnectX-5]"],
  [0x15b3_1018, "MT27800 Family [ConnectX-5 Virtual Function]"],
  [0x10de_20f1, "GA100 [A100 PCIe 40GB]"],
  [0x144d_a80a, "NVMe SSD Controller PM9A1/PM9A3/980PRO"],
  [0x10b5_8747, "PEX 8747 48-Lane, 5-Port PCI Express Gen 3 (8.0 GT/s) Switch"],
]);

/** Subclass names by (class << 8 | subclass). */
export const CLASSES: ReadonlyMap<number, string> = new Map([
  [0x0100, "SCSI storage controller"],
  [0x0106, "SATA controller"],
  [0x0108, "Non-Volatile memory controller"],
  [0x0200, "Ethernet controller"],
  [0x0207, "Infiniband controller"],
  [0x0280, "Network controller"],
  [0x0300, "VGA compatible controller"],
  [0x0302, "3D controller"],
  [0x0380, "Display controller"],
  [0x0600, "Host bridge"],
  [0x0604, "PCI bridge"],
  [0x0880, "System peripheral"],
  [0x0c03, "USB controller"],
  [0x1200, "Processing accelerators"],
]);

/** Programming-interface names by (class << 16 | subclass << 8 | prog-if). */
export const PROG_IFS: ReadonlyMap<number, string> = new Map([
  [0x010802, "NVM Express"],
  [0x060400, "Normal decode"],
  [0x030000, "VGA controller"],
]);

/** `Mellanox Technologies MT27800 Family [ConnectX-5]`, or `Vendor 15b3 Device 1017`. */
export function deviceName(vendor: number, device: number): string {
  const v = VENDORS.get(vendor);
  const d = DEVICES.get(vendor * 0x10000 + device);
  const dev = d ?? `Device ${hex4(device)}`;
  return v === undefined ? `Vendor ${hex4(vendor)} ${dev}` : `${v} ${dev}`;
}

/** `Ethernet controller`, or `Class 0c80`. */
export function className(classCode: number): string {
  const sub = classCode >> 8;
  return CLASSES.get(sub) ?? `Class ${hex4(sub)}`;
}

/** The prog-if's name, or undefined. */
export function progIfName(classCode: number): string | undefined {
  return PROG_IFS.get(classCode);
}

/** Four lower-case hex digits. */
export function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
