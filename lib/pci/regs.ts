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
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
/** Enable response in I/O space. */
export const PCI_COMMAND_IO = 0x1;
/** Enable response in memory space. */
export const PCI_COMMAND_MEMORY = 0x2;
/** Enable bus mastering (the function may start DMA). */
export const PCI_COMMAND_MASTER = 0x4;
export const PCI_COMMAND_SERR = 0x100;
export const PCI_COMMAND_INTX_DISABLE = 0x400;
export const PCI_STATUS = 0x06;
export const PCI_STATUS_CAP_LIST = 0x10;
/** DEVSEL timing "fast" (bits 9-10 = 0). */
export const PCI_STATUS_DEVSEL_FAST = 0x000;
export const PCI_REVISION_ID = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_CLASS_DEVICE = 0x0a;
export const PCI_CACHE_LINE_SIZE = 0x0c;
export const PCI_LATENCY_TIMER = 0x0d;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_HEADER_TYPE_NORMAL = 0;
export const PCI_HEADER_TYPE_BRIDGE = 1;
/** Header type bit 7: a multi-function device. */
export const PCI_HEADER_TYPE_MFD = 0x80;
export const PCI_BASE_ADDRESS_0 = 0x10;
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
export const PCI_PRIMARY_BUS = 0x18;
export const PCI_SECONDARY_BUS = 0x19;
export const PCI_SUBORDINATE_BUS = 0x1a;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;
/** Size of the PCIe extended configuration space. */
export const PCI_CFG_SPACE_EXP_SIZE = 4096;
