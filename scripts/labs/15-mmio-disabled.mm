# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.REG: 0x800 0x40 0x200 0x8a8
# vary.FIRST: "\x01\x00\x00\x00" "\x2a\x00\x00\x00" "\x78\x56\x34\x12"
# vary.FIRST.value: 0x00000001 0x0000002a 0x12345678

Lab 15: touching a BAR whose Memory Space is off

A process that maps a device's BAR (here through sysfs resource0, with no
driver in the way) keeps its PTEs when someone turns the device's Memory
Space Enable bit off. The next access then reaches a device that no longer
decodes it: an Unsupported Request. On most x86 machines the root complex
answers a read with all ones and drops a write; some platforms escalate it
to a fatal host error (CVE-2020-12888), which is why vfio-pci zaps its BAR
mappings when the bit goes off (seed 002). Policy hw.mmioUnclaimed picks
the platform.

  [1] mm> lspci -vv -s 05:00.0
  05:00.0 Ethernet controller: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection (rev 01)
  	Subsystem: Intel Corporation Device 0003
  	Control: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-
  	Status: Cap- 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
  	Latency: 0, Cache Line Size: 64 bytes
  	Interrupt: pin A routed to IRQ 17
  	IOMMU group: 9
  	Region 0: Memory at 7006400000 (64-bit, non-prefetchable) [size=512K]
  	Region 2: I/O ports at e000 [size=32]
  	Region 4: Memory at 7006480000 (64-bit, non-prefetchable) [size=16K]
  	Kernel driver in use: ixgbe
  	Kernel modules: ixgbe
  
  [1] mm> fd = open("/sys/bus/pci/devices/0000:05:00.0/resource0", O_RDWR)
  = 3
  [1] mm> bar = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> smaps bar 4K
  7ffff7fbf000-7ffff7fc0000 rw-s 7006400000 00:15 20018                    /sys/devices/pci0000:00/0000:00:02.0/0000:05:00.0/resource0
  Size:                  4 kB
  KernelPageSize:        4 kB
  MMUPageSize:           4 kB
  Rss:                   0 kB
  Pss:                   0 kB
  Pss_Dirty:             0 kB
  Shared_Clean:          0 kB
  Shared_Dirty:          0 kB
  Private_Clean:         0 kB
  Private_Dirty:         0 kB
  Referenced:            0 kB
  Anonymous:             0 kB
  KSM:                   0 kB
  LazyFree:              0 kB
  AnonHugePages:         0 kB
  ShmemPmdMapped:        0 kB
  FilePmdMapped:         0 kB
  Shared_Hugetlb:        0 kB
  Private_Hugetlb:       0 kB
  Swap:                  0 kB
  SwapPss:               0 kB
  Locked:                0 kB
  THPeligible:           0
  VmFlags: rd wr sh mr mw ms pf io de dd 
? Which flags mark this VMA as a device mapping? (Does GUP accept such a VMA? yes or no)
!= no
! io and pf (VM_IO|VM_PFNMAP, from io_remap_pfn_range), with de and dd: GUP refuses it, fork copies its PTEs, core dumps skip it.

The registers read their reset pattern until written; a write sticks.

  [1] mm> peek(bar + 0x800, 4)
  7ffff7fbf800  00 08 de c0                                       |....|
  [1] mm> poke(bar + 0x800, "\x01\x00\x00\x00")
  = 4
  [1] mm> peek(bar + 0x800, 4)
  7ffff7fbf800  01 00 00 00                                       |....|

Now clear Memory Space in the COMMAND register (offset 4) through the
config file, as setpci COMMAND=0x4 would.

  [1] mm> cfg = open("/sys/bus/pci/devices/0000:05:00.0/config", O_RDWR)
  = 4
  [1] mm> pwrite(cfg, "\x04\x00", 2, 4)
  = 2
  [1] mm> lspci -vv -s 05:00.0
  05:00.0 Ethernet controller: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection (rev 01)
  	Subsystem: Intel Corporation Device 0003
  	Control: I/O- Mem- BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-
  	Status: Cap- 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
  	Latency: 0, Cache Line Size: 64 bytes
  	Interrupt: pin A routed to IRQ 17
  	IOMMU group: 9
  	Region 0: Memory at 7006400000 (64-bit, non-prefetchable) [disabled] [size=512K]
  	Region 2: I/O ports at e000 [disabled] [size=32]
  	Region 4: Memory at 7006480000 (64-bit, non-prefetchable) [disabled] [size=16K]
  	Kernel driver in use: ixgbe
  	Kernel modules: ixgbe
  
  [1] mm> peek(bar + 0x800, 4)
  7ffff7fbf800  ff ff ff ff                                       |....|
  [1] mm> poke(bar + 0x800, "\x02\x00\x00\x00")
  = 4
  [1] mm> dmesg
? Did the process get a signal? (yes or no)
!= no
? What did the process see, and what did the kernel log? (Give the 32-bit value the read gave.)
!= 0xffffffff
! Nothing went wrong for the process: no signal, the read gave ff ff ff ff and the write vanished. The kernel logged nothing: the mapping was never zapped, so no fault happened at all.

The same on a platform that escalates Unsupported Requests:

  [1] mm> policy hw.mmioUnclaimed host-fatal
  hw.mmioUnclaimed = host-fatal
  [1] mm> peek(bar + 0x800, 4)
  7ffff7fbf800  ff ff ff ff                                       |....|
  [1] mm> dmesg
  [    0.000004] [emu] host-fatal: Unsupported Request escalated: MMIO read of 4 at 0000:05:00.0 BAR0+0x800 (present, Mem-)

Turn Memory Space back on: the register still holds the first write.

  [1] mm> policy hw.mmioUnclaimed all-ones
  hw.mmioUnclaimed = all-ones
  [1] mm> pwrite(cfg, "\x06\x00", 2, 4)
  = 2
  [1] mm> peek(bar + 0x800, 4)
  7ffff7fbf800  01 00 00 00                                       |....|
? Which value does the register hold now (a little-endian 32-bit number)?
!= 0x00000001

platform          | read while Mem-  | write while Mem- | kernel log
all-ones (x86)    | ff ff ff ff      | dropped          | nothing
host-fatal        | ff ff ff ff      | dropped          | [emu] host-fatal (a machine check on such hosts)
vfio-pci mapping (seed 002, not in this lab) | SIGBUS BUS_ADRERR: vfio zapped the BAR and its fault handler refuses while MEMORY is off | - | nothing
