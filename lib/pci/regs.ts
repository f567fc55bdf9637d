/**
 * PCI configuration space offsets and bits, by their names in
 * include/uapi/linux/pci_regs.h (only those mmlab models).
 *
 * ```
 *  0x00 vendor | device      0x04 COMMAND | STATUS    0x08 rev | prog-if subclass class
 *  0x0c cacheline latency header-type BIST             0x10..0x24 BAR0..BAR5 (type 0)
 *  0x2c subsystem vendor | subsystem id (type 0)       0x3c irq line, irq pin
 *  type 1 (bridge): 0x18 primary, secondary, subordinate bus, sec latency
 * ```
 * @module
 */

export const PCI_VENDOR_ID = 0x00;
/** PCI_DEVICE_ID: 16-bit device id, config offset 0x02. */
export const PCI_DEVICE_ID = 0x02;
/** PCI_COMMAND: the command register, config offset 0x04. */
export const PCI_COMMAND = 0x04;
/** Enable response in I/O space. */
export const PCI_COMMAND_IO = 0x1;
/** Enable response in memory space. */
export const PCI_COMMAND_MEMORY = 0x2;
/** Enable bus mastering (the function may start DMA). */
export const PCI_COMMAND_MASTER = 0x4;
/** PCI_COMMAND_SERR: enable SERR# reporting (bit 8). */
export const PCI_COMMAND_SERR = 0x100;
/** PCI_COMMAND_INTX_DISABLE: the function may not assert INTx (bit 10). */
export const PCI_COMMAND_INTX_DISABLE = 0x400;
/** PCI_STATUS: the status register, config offset 0x06. */
export const PCI_STATUS = 0x06;
/** PCI_STATUS_CAP_LIST: a capability list starts at PCI_CAPABILITY_LIST (bit 4). */
export const PCI_STATUS_CAP_LIST = 0x10;
/** DEVSEL timing "fast" (bits 9-10 = 0). */
export const PCI_STATUS_DEVSEL_FAST = 0x000;
/** PCI_REVISION_ID: revision, config offset 0x08. */
export const PCI_REVISION_ID = 0x08;
/** PCI_CLASS_PROG: programming interface, config offset 0x09. */
export const PCI_CLASS_PROG = 0x09;
/** PCI_CLASS_DEVICE: 16-bit class and subclass, config offset 0x0a. */
export const PCI_CLASS_DEVICE = 0x0a;
/** PCI_CACHE_LINE_SIZE: cache line size in dwords, config offset 0x0c. */
export const PCI_CACHE_LINE_SIZE = 0x0c;
/** PCI_LATENCY_TIMER: latency timer, config offset 0x0d. */
export const PCI_LATENCY_TIMER = 0x0d;
/** PCI_HEADER_TYPE: header layout (bits 0-6) and multi-function bit, config offset 0x0e. */
export const PCI_HEADER_TYPE = 0x0e;
/** PCI_HEADER_TYPE_NORMAL: type 0 header, an endpoint. */
export const PCI_HEADER_TYPE_NORMAL = 0;
/** PCI_HEADER_TYPE_BRIDGE: type 1 header, a PCI-to-PCI bridge. */
export const PCI_HEADER_TYPE_BRIDGE = 1;
/** Header type bit 7: a multi-function device. */
export const PCI_HEADER_TYPE_MFD = 0x80;
/** PCI_BASE_ADDRESS_0: BAR0, config offset 0x10 (BARn at 0x10 + 4n). */
export const PCI_BASE_ADDRESS_0 = 0x10;
/** PCI_BASE_ADDRESS_SPACE_IO: BAR bit 0: an I/O-space BAR. */
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
/** PCI_BASE_ADDRESS_MEM_TYPE_64: BAR bits 1-2 = 2: a 64-bit memory BAR spanning two slots. */
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
/** PCI_BASE_ADDRESS_MEM_PREFETCH: BAR bit 3: prefetchable memory. */
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
/** PCI_PRIMARY_BUS: bridge's upstream bus number, config offset 0x18. */
export const PCI_PRIMARY_BUS = 0x18;
/** PCI_SECONDARY_BUS: bus number just below the bridge, config offset 0x19. */
export const PCI_SECONDARY_BUS = 0x19;
/** PCI_SUBORDINATE_BUS: highest bus number below the bridge, config offset 0x1a. */
export const PCI_SUBORDINATE_BUS = 0x1a;
/** PCI_SUBSYSTEM_VENDOR_ID: subsystem vendor id (type 0), config offset 0x2c. */
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
/** PCI_SUBSYSTEM_ID: subsystem id (type 0), config offset 0x2e. */
export const PCI_SUBSYSTEM_ID = 0x2e;
/** PCI_INTERRUPT_LINE: IRQ line the OS assigned, config offset 0x3c. */
export const PCI_INTERRUPT_LINE = 0x3c;
/** PCI_INTERRUPT_PIN: INTx pin used (0 none, 1 INTA..4 INTD), config offset 0x3d. */
export const PCI_INTERRUPT_PIN = 0x3d;
/** Size of the PCIe extended configuration space. */
export const PCI_CFG_SPACE_EXP_SIZE = 4096;
