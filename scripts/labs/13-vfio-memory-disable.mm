# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.DMA: 16K 8K 32K 64K
# vary.IOVA: 0x100000 0x200000 0x40000000 0x7000
# vary.REQ: 105 55 75 205
# vary.REQ.sleep: 105s 55s 75s 205s

Lab 13: vfio-pci, a BAR in user space, and Memory Space disable (seed 002)

vfio-pci hands a PCI function to a user program: its registers (BARs)
are mmapped straight into the process, and its config space is read and
written through the device fd. The program may also clear the COMMAND
register's Memory Space bit, after which the device no longer answers
accesses to its BARs. On some platforms such an access is an Unsupported
Request that takes the whole host down (CVE-2020-12888), so since 5.8
vfio zaps every BAR mapping first and answers the next touch with SIGBUS.
How it fills the mappings back in changed three times; the March 2023
thread (seed 002) is about the first of those designs colliding with the
new vm_flags lock assertions.

Bind the 82599 NIC at 05:00.0 to vfio-pci (driverctl's sysfs writes),
then open the container, its IOMMU group and the device, as QEMU or DPDK
does.

  [1] mm> device-bind 05:00.0 vfio-pci
  write(/sys/bus/pci/devices/0000:05:00.0/driver_override, "vfio-pci") = 8
  write(/sys/bus/pci/drivers/ixgbe/unbind, "0000:05:00.0") = 12
  write(/sys/bus/pci/drivers/vfio-pci/bind, "0000:05:00.0") = 12
  [1] mm> c = open("/dev/vfio/vfio", O_RDWR)
  = 3
  [1] mm> g = open("/dev/vfio/10", O_RDWR)
  = 4
  [1] mm> ioctl(c, VFIO_GET_API_VERSION)
  = 0
  [1] mm> ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU)
  = 1
  [1] mm> ioctl(g, VFIO_GROUP_SET_CONTAINER, [c])
  = 0
  [1] mm> ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)
  = 0
  [1] mm> d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")
  = 5
  [1] mm> ioctl(d, VFIO_DEVICE_GET_INFO, {argsz=24})
  = 0 {argsz=24, flags=VFIO_DEVICE_FLAGS_RESET|VFIO_DEVICE_FLAGS_PCI, num_regions=9, num_irqs=5, cap_offset=0}
  [1] mm> ioctl(d, VFIO_DEVICE_GET_REGION_INFO, {argsz=32, index=0})
  = 0 {argsz=32, flags=VFIO_REGION_INFO_FLAG_READ|VFIO_REGION_INFO_FLAG_WRITE|VFIO_REGION_INFO_FLAG_MMAP, index=0, cap_offset=0, size=0x80000, offset=0}
  [1] mm> ioctl(d, VFIO_DEVICE_GET_REGION_INFO, {argsz=32, index=7})
  = 0 {argsz=32, flags=VFIO_REGION_INFO_FLAG_READ|VFIO_REGION_INFO_FLAG_WRITE, index=7, cap_offset=0, size=0x1000, offset=0x70000000000}
? Where in the device fd do BAR0 and config space live? (Give config space's offset.)
!= 0x70000000000
! At the offset region info gives: index << 40, so BAR0 at 0 and config space (region 7) at 0x70000000000. pread, pwrite and mmap all use these offsets.

Map BAR0. vfio refuses a private mapping (a BAR has no pages to copy);
a shared one gets VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP at mmap time,
before any PTE exists (`io pf de dd` in smaps).

  [1] mm> bar = mmap(0x7f0000000000, 512K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, d, 0)
  = -1 EINVAL (Invalid argument)
  [1] mm> bar = mmap(0x7f0000000000, 512K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)
  = 0x7f0000000000
  [1] mm> smaps bar 4K
  7f0000000000-7f0000080000 rw-s 00000000 00:0f 1                          anon_inode:[vfio-device]
  Size:                512 kB
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
  [1] mm> peek(bar + 0x10, 4)
  7f0000000010  10 00 de c0                                       |....|
  [1] mm> poke(bar + 0x40, 1)
  = 1
  [1] mm> vfio doorbells
  0000:05:00.0: 1 write
    0.000013500  BAR0+0x40  01
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS        PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  1       0 (0 PTEs)  0       -
  [1] mm> vfio faults
  0000:05:00.0:
    map   7f0000000000-7f0000080000 BAR0 pfn 0x7006400 huge-fault (pid 1)
    fault 7f0000000000 order 0, 1 PTE, VM_FAULT_NOPAGE
? Why did the first touch map only one page, although today's kernel does huge faults? (How many PTEs did the fault map?)
!= 1
! vfio_pci_mmap_huge_fault (6.12+) maps a PMD or PUD only where a whole 2 MiB or 1 GiB block, aligned in both address and PFN, fits in the mapping. A 512 KiB BAR has none, so every fault falls back to one page.

Now clear Memory Space through config space, as a guest's driver does
when it sizes BARs: COMMAND is at offset 4 of region 7. Keep I/O on.

  [1] mm> pread(d, "", 2, 0x70000000004)
  = 2 "\3\0"
  [1] mm> pwrite(d, "\x01\x00", 2, 0x70000000004)
  = 2
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS        PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     off     Mem-  1       1 (1 PTEs)  0       -
  [1] mm> peek(bar + 0x10, 4)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000000010} ---
  [1] mm> pread(d, "", 4, 0)
  = -1 EIO (Input/output error)
  [1] mm> dmesg
? Which signal did the touch get?
!= SIGBUS
? And which errno did the pread of BAR0 get?
!= EIO
? What stopped the access, and what did the kernel log? (Did dmesg get a line? yes or no)
!= no
! The write zapped BAR0's PTEs before it reached the register (vfio_pci_zap_and_down_write_memory_lock). The next touch faulted, and with memory disabled the handler returned VM_FAULT_SIGBUS: SIGBUS BUS_ADRERR at the exact byte. read() of the region is EIO. Nothing is logged.

Turn memory back on. Nothing is mapped again until the program touches
the BAR: the next touch faults it back in.

  [1] mm> pwrite(d, "\x03\x00", 2, 0x70000000004)
  = 2
  [1] mm> peek(bar + 0x10, 4)
  7f0000000010  10 00 de c0                                       |....|
  [1] mm> pread(d, "", 4, 0x10)
  = 4 "\20\0\336\300"
  [1] mm> munmap(bar, 512K)
  = 0

Huge faults pay off on a big BAR. The A100 at 04:00.0 has a 64 GiB
BAR2; bind it too, put its group in the same container, and map 4 MiB of
the BAR at a 2 MiB boundary.

  [1] mm> device-bind 04:00.0 vfio-pci
  write(/sys/bus/pci/devices/0000:04:00.0/driver_override, "vfio-pci") = 8
  write(/sys/bus/pci/drivers/nvidia/unbind, "0000:04:00.0") = 12
  write(/sys/bus/pci/drivers/vfio-pci/bind, "0000:04:00.0") = 12
  [1] mm> g2 = open("/dev/vfio/9", O_RDWR)
  = 6
  [1] mm> ioctl(g2, VFIO_GROUP_SET_CONTAINER, [c])
  = 0
  [1] mm> d2 = ioctl(g2, VFIO_GROUP_GET_DEVICE_FD, "0000:04:00.0")
  = 7
  [1] mm> h = mmap(0x7f0040000000, 4M, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d2, 0x20000000000)
  = 0x7f0040000000
  [1] mm> peek(h + 12K, 4)
  7f0040003000  00 30 de c0                                       |.0..|
  [1] mm> peek(h + 3M, 4)
  7f0040300000  00 00 de c0                                       |....|
  [1] mm> vfio faults
  0000:05:00.0:
  0000:04:00.0:
    map   7f0040000000-7f0040400000 BAR2 pfn 0x6000000 huge-fault (pid 1)
    fault 7f0040000000 order 9, 512 PTEs, VM_FAULT_NOPAGE
    fault 7f0040200000 order 9, 512 PTEs, VM_FAULT_NOPAGE
? How many faults for 4 MiB, and why not one?
!= 2
! Two, each mapping a 2 MiB PMD (512 PTEs here: mmlab draws a huge entry as its pages). A PUD would need a whole 1 GiB-aligned gigabyte inside the mapping.

Unbind the A100 while the program still has it open. vfio-pci's remove
waits for the user: every 10 s it sends a request (to the req eventfd, if
the program registered one; mmlab has no eventfd, so only the first
request logs). A thread of the program writes to sysfs, as an
administrator's shell would.

  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t device-unbind 04:00.0
  write(/sys/bus/pci/drivers/vfio-pci/unbind, "0000:04:00.0") <unfinished ...> (vfio-pci remove waits in vfio_unregister_group_dev)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   vfio_unregister_group_dev prog
  [1] mm> sleep 30s
  [1] mm> kill(1, SIGUSR1)
  = 0
  --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1, si_uid=0} ---
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Dl   vfio_unregister_group_dev prog
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS        PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  3       1 (1 PTEs)  0       -
  0000:04:00.0  /dev/vfio/9   1     on      Mem+  2       0 (0 PTEs)  0       waiting, 5 requests
  [1] mm> dmesg
  [    0.000034] vfio-pci 0000:04:00.0: No device request channel registered, blocked until released by user
  [   30.000035] vfio-pci 0000:04:00.0: Device is currently in use, task "prog" (2) blocked until device is released
? What did the signal change? (Is the wait still interruptible? yes or no)
!= no
! The first wait is interruptible (S): the signal ended it, vfio logged that the task stays blocked, and the wait went on in D, where signals no longer reach it. The request loop keeps running.
  [1] mm> munmap(h, 4M)
  = 0
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS        PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  3       1 (1 PTEs)  0       -
  0000:04:00.0  /dev/vfio/9   1     on      Mem+  2       0 (0 PTEs)  0       waiting, 5 requests
  [1] mm> close(d2)
  = 0
  [pid 2] <... write resumed> = 12
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS        PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  3       1 (1 PTEs)  0       -
? Why was the write still blocked after munmap, and why did close end it? (What did the write return when it resumed?)
!= 12
! munmap dropped the mapping's reference to the device file, but the fd still held the device open. close dropped the last reference: vfio_pci_core_close_device disabled and reset the function, the removal finished, /dev/vfio/9 went away, and the blocked write returned 12.

Round 1: Linux 5.7 and before (vfio.faultImpl=mmap-remap). vfio called
remap_pfn_range in mmap and had no fault handler: the BAR is mapped
whole at once, and nothing ever takes it away.

  [1] mm> policy vfio.faultImpl mmap-remap
  vfio.faultImpl = mmap-remap
  [1] mm> r1 = mmap(0x7f0000100000, 128K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)
  = 0x7f0000100000
  [1] mm> maps r1 4K
  7f0000100000-7f0000120000 rw-s 7006400000 00:0f 1                        anon_inode:[vfio-device]
  [1] mm> pwrite(d, "\x01\x00", 2, 0x70000000004)
  = 2
  [1] mm> peek(r1 + 0x10, 4)
  7f0000100010  ff ff ff ff                                       |....|
  [1] mm> pread(d, "", 4, 0)
  = 4 "\377\377\377\377"
? The program cleared Memory Space. Why could it still read, and where did the 0xffffffff come from? (Give the 32-bit value read.)
!= 0xffffffff
! Nothing zapped the mapping, so the load went out on the bus to a function that no longer decodes it. On a typical x86 host the root complex answers the Unsupported Request with all ones (hw.mmioUnclaimed=all-ones). The offset column shows vm_pgoff = the BAR's PFN (0x7006400000 >> 12), as remap_pfn_range wanted.

The same store on a platform that escalates Unsupported Requests. The
device never sees it (its doorbell log has only the write from before):

  [1] mm> policy hw.mmioUnclaimed host-fatal
  hw.mmioUnclaimed = host-fatal
  [1] mm> poke(r1 + 0x40, 1)
  = 1
  [1] mm> vfio doorbells
  0000:05:00.0: 1 write
    0.000013500  BAR0+0x40  01
  [1] mm> dmesg
  [    0.000034] vfio-pci 0000:04:00.0: No device request channel registered, blocked until released by user
  [   30.000035] vfio-pci 0000:04:00.0: Device is currently in use, task "prog" (2) blocked until device is released
  [   30.000040] [emu] host-fatal: Unsupported Request escalated: MMIO write of 1 at 0000:05:00.0 BAR0+0x40 (present, Mem-)
  [1] mm> policy hw.mmioUnclaimed all-ones
  hw.mmioUnclaimed = all-ones
  [1] mm> pwrite(d, "\x03\x00", 2, 0x70000000004)
  = 2
  [1] mm> munmap(r1, 128K)
  = 0

Round 2: Linux 5.8 to 6.9 (vfio.faultImpl=remap-in-fault). To be able to
zap, vfio maps nothing at mmap and calls io_remap_pfn_range for the
whole VMA from its fault handler, then tracks the VMA on vma_list. From
6.3, remap_pfn_range's vm_flags_set() asserts the mmap lock is held for
write; a fault holds it for read. On 6.3-6.9 only lockdep checks that
(mm.vmFlagsAssert=lockdep-only), so a production kernel says nothing.

  [1] mm> policy vfio.faultImpl remap-in-fault
  vfio.faultImpl = remap-in-fault
  [1] mm> policy mm.vmFlagsAssert lockdep-only
  mm.vmFlagsAssert = lockdep-only
  [1] mm> r2 = mmap(0x7f0000200000, 128K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)
  = 0x7f0000200000
  [1] mm> peek(r2 + 20K, 4)
  7f0000205000  00 50 de c0                                       |.P..|
  [1] mm> vfio faults
  0000:05:00.0:
    map   7f0000200000-7f0000220000 BAR0 pfn 0x7006400 remap-in-fault (pid 1)
    fault 7f0000205000 order 0, 32 PTEs, VM_FAULT_NOPAGE
  [1] mm> dmesg
  [    0.000034] vfio-pci 0000:04:00.0: No device request channel registered, blocked until released by user
  [   30.000035] vfio-pci 0000:04:00.0: Device is currently in use, task "prog" (2) blocked until device is released
  [   30.000040] [emu] host-fatal: Unsupported Request escalated: MMIO write of 1 at 0000:05:00.0 BAR0+0x40 (present, Mem-)
? How many faults did the touch of page 5 take?
!= 1
! One: the handler filled all 32 PTEs at once (and the VMA went on vma_list). dmesg has nothing new since round 1.

A debug kernel (config.LOCKDEP=y) warns. Disable and re-enable memory:
the zap walks vma_list, the VMA leaves it, and the next touch remaps it.

  [1] mm> policy config.LOCKDEP y
  config.LOCKDEP = y
  [1] mm> pwrite(d, "\x01\x00", 2, 0x70000000004)
  = 2
  [1] mm> pwrite(d, "\x03\x00", 2, 0x70000000004)
  = 2
  [1] mm> peek(r2 + 20K, 4)
  7f0000205000  00 50 de c0                                       |.P..|
  [1] mm> dmesg
  [    0.000034] vfio-pci 0000:04:00.0: No device request channel registered, blocked until released by user
  [   30.000035] vfio-pci 0000:04:00.0: Device is currently in use, task "prog" (2) blocked until device is released
  [   30.000040] [emu] host-fatal: Unsupported Request escalated: MMIO write of 1 at 0000:05:00.0 BAR0+0x40 (present, Mem-)
  [   30.000048] ------------[ cut here ]------------
  [   30.000048] WARNING: CPU: 0 PID: 1 at include/linux/mmap_lock.h:161 remap_pfn_range_notrack+0x625/0x650
  [   30.000048] CPU: 0 PID: 1 Comm: prog Not tainted 6.18.0 #1
  [   30.000048] RIP: 0010:remap_pfn_range_notrack+0x625/0x650
  [   30.000048] Call Trace:
  [   30.000048]  <TASK>
  [   30.000048]  remap_pfn_range
  [   30.000048]  vfio_pci_mmap_fault
  [   30.000048]  __do_fault
  [   30.000048]  do_fault
  [   30.000048]  __handle_mm_fault
  [   30.000048]  handle_mm_fault
  [   30.000048]  do_user_addr_fault
  [   30.000048]  exc_page_fault
  [   30.000048]  asm_exc_page_fault
  [   30.000048]  </TASK>
  [   30.000048] ---[ end trace 0000000000000000 ]---
? Where does the WARNING come from? (Which line of include/linux/mmap_lock.h?)
!= 161
! vm_flags_set() inside remap_pfn_range finding only the read lock, which is what Alex Williamson reported in the thread. x86 with PAT also showed a first WARNING from track_pfn_remap; mmlab leaves it out (VM_PAT is gone since 6.16).

6.10-rc1's rwsem assertion works without lockdep (mm.vmFlagsAssert=always)
and warns on every kernel, at rwsem.h:85: what "from just sketchy to
having a fire under it" meant. 6.10 itself no longer remaps in the fault.

  [1] mm> policy config.LOCKDEP n
  config.LOCKDEP = n
  [1] mm> policy mm.vmFlagsAssert always
  mm.vmFlagsAssert = always
  [1] mm> pwrite(d, "\x01\x00", 2, 0x70000000004)
  = 2
  [1] mm> pwrite(d, "\x03\x00", 2, 0x70000000004)
  = 2
  [1] mm> peek(r2 + 20K, 4)
  7f0000205000  00 50 de c0                                       |.P..|
  [1] mm> dmesg
  [    0.000034] vfio-pci 0000:04:00.0: No device request channel registered, blocked until released by user
  [   30.000035] vfio-pci 0000:04:00.0: Device is currently in use, task "prog" (2) blocked until device is released
  [   30.000040] [emu] host-fatal: Unsupported Request escalated: MMIO write of 1 at 0000:05:00.0 BAR0+0x40 (present, Mem-)
  [   30.000048] ------------[ cut here ]------------
  [   30.000048] WARNING: CPU: 0 PID: 1 at include/linux/mmap_lock.h:161 remap_pfn_range_notrack+0x625/0x650
  [   30.000048] CPU: 0 PID: 1 Comm: prog Not tainted 6.18.0 #1
  [   30.000048] RIP: 0010:remap_pfn_range_notrack+0x625/0x650
  [   30.000048] Call Trace:
  [   30.000048]  <TASK>
  [   30.000048]  remap_pfn_range
  [   30.000048]  vfio_pci_mmap_fault
  [   30.000048]  __do_fault
  [   30.000048]  do_fault
  [   30.000048]  __handle_mm_fault
  [   30.000048]  handle_mm_fault
  [   30.000048]  do_user_addr_fault
  [   30.000048]  exc_page_fault
  [   30.000048]  asm_exc_page_fault
  [   30.000048]  </TASK>
  [   30.000048] ---[ end trace 0000000000000000 ]---
  [   30.000051] ------------[ cut here ]------------
  [   30.000051] WARNING: CPU: 0 PID: 1 at include/linux/rwsem.h:85 remap_pfn_range_notrack+0x625/0x650
  [   30.000051] CPU: 0 PID: 1 Comm: prog Tainted: W 6.18.0 #1
  [   30.000051] RIP: 0010:remap_pfn_range_notrack+0x625/0x650
  [   30.000051] Call Trace:
  [   30.000051]  <TASK>
  [   30.000051]  remap_pfn_range
  [   30.000051]  vfio_pci_mmap_fault
  [   30.000051]  __do_fault
  [   30.000051]  do_fault
  [   30.000051]  __handle_mm_fault
  [   30.000051]  handle_mm_fault
  [   30.000051]  do_user_addr_fault
  [   30.000051]  exc_page_fault
  [   30.000051]  asm_exc_page_fault
  [   30.000051]  </TASK>
  [   30.000051] ---[ end trace 0000000000000000 ]---

The same design had a second problem, with fork. A child inherits the
BAR mapping with its PTEs copied (VM_PFNMAP). vfio's ->open zapped the
child's copy so that the child would fault, and be put on vma_list. In
6.9 (and 6.6.y) fork started calling ->open before copying the PTEs
(fork.openBeforeCopy=true), so the zap found nothing and the copy stayed,
on no list. Fork once each way, then disable memory.

  [1] mm> policy mm.vmFlagsAssert lockdep-only
  mm.vmFlagsAssert = lockdep-only
  [1] mm> policy fork.openBeforeCopy false
  fork.openBeforeCopy = false
  [1] mm> c8 = fork()
  = 3
  [1] mm> policy fork.openBeforeCopy true
  fork.openBeforeCopy = true
  [1] mm> c9 = fork()
  = 4
  [1] mm> pwrite(d, "\x01\x00", 2, 0x70000000004)
  = 2
  [1] mm> peek(r2 + 0x10, 4)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000200010} ---
  [1] mm> @c8 peek(r2 + 0x10, 4)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000200010} ---
  [1] mm> @c9 peek(r2 + 0x10, 4)
  7f0000200010  ff ff ff ff                                       |....|
  [1] mm> pwrite(d, "\x03\x00", 2, 0x70000000004)
  = 2
  [1] mm> @c8 exit_group(0)
  = ?
  +++ exited with 0 +++
  [1] mm> @c9 exit_group(0)
  = ?
  +++ exited with 0 +++
? Which process reached the disabled device? (Give its pid.)
!= c9
! The 6.9 child (c9): its copied PTEs were never on vma_list, so the zap missed them and its load went to the bus (all ones here, a fatal error where Unsupported Requests escalate). The 6.8 child had nothing mapped and faulted into SIGBUS like its parent. 6.10 removed the list (and ->open) altogether: unmap_mapping_range finds every process's mapping through the device inode.

  [1] mm> munmap(r2, 128K)
  = 0

Round 3: Linux 6.10 and 6.11 (vfio.faultImpl=insert-pfn+prefault). The
fault handler only inserts PFNs (vmf_insert_pfn: no vm_flags change, no
warning), the faulting page first, then the rest of the VMA; the zap is
unmap_mapping_range on the device's own inode, which finds every mapping
in every process without a list. Beside it, the same without the
prefault (insert-pfn), one fault per page touched.

  [1] mm> policy vfio.faultImpl insert-pfn+prefault
  vfio.faultImpl = insert-pfn+prefault
  [1] mm> r3 = mmap(0x7f0000300000, 128K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)
  = 0x7f0000300000
  [1] mm> peek(r3 + 20K, 4)
  7f0000305000  00 50 de c0                                       |.P..|
  [1] mm> peek(r3 + 24K, 4)
  7f0000306000  00 60 de c0                                       |.`..|
  [1] mm> policy vfio.faultImpl insert-pfn
  vfio.faultImpl = insert-pfn
  [1] mm> r4 = mmap(0x7f0000400000, 128K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)
  = 0x7f0000400000
  [1] mm> peek(r4 + 20K, 4)
  7f0000405000  00 50 de c0                                       |.P..|
  [1] mm> peek(r4 + 24K, 4)
  7f0000406000  00 60 de c0                                       |.`..|
  [1] mm> vfio faults
  0000:05:00.0:
    map   7f0000300000-7f0000320000 BAR0 pfn 0x7006400 insert-pfn+prefault (pid 1)
    fault 7f0000305000 order 0, 32 PTEs, VM_FAULT_NOPAGE
    map   7f0000400000-7f0000420000 BAR0 pfn 0x7006400 insert-pfn (pid 1)
    fault 7f0000405000 order 0, 1 PTE, VM_FAULT_NOPAGE
    fault 7f0000406000 order 0, 1 PTE, VM_FAULT_NOPAGE
  [1] mm> munmap(r3, 128K)
  = 0
  [1] mm> munmap(r4, 128K)
  = 0

Round 4: Peter Xu's suggestion in the thread, never merged
(vfio.faultImpl=eager-reinsert): fault lazily as 6.10 does, but when
memory comes back on, re-insert every mapping at once, so nothing waits
for a fault.

  [1] mm> policy vfio.faultImpl eager-reinsert
  vfio.faultImpl = eager-reinsert
  [1] mm> r5 = mmap(0x7f0000500000, 128K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)
  = 0x7f0000500000
  [1] mm> peek(r5, 4)
  7f0000500000  00 00 de c0                                       |....|
  [1] mm> pwrite(d, "\x01\x00", 2, 0x70000000004)
  = 2
  [1] mm> pwrite(d, "\x03\x00", 2, 0x70000000004)
  = 2
  [1] mm> peek(r5 + 64K, 4)
  7f0000510000  00 00 de c0                                       |....|
  [1] mm> vfio faults
  0000:05:00.0:
    map   7f0000500000-7f0000520000 BAR0 pfn 0x7006400 eager-reinsert (pid 1)
    fault 7f0000500000 order 0, 32 PTEs, VM_FAULT_NOPAGE
    re-inserted on enable: 32 PTEs
The container does DMA mappings for the devices in its groups. With
type1 a mapping pins the user's pages for as long as it exists (long-term
FOLL_PIN: REF grows by 1024, PIN by one) and maps them at their IOVAs in
the group's IOMMU domain (`iommu 05:00.0` lists them): the device's DMA
reaches memory through those IOVAs only, and anything else faults.

  [1] mm> buf = mmap(0x7f0080000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0080000000
  [1] mm> ioctl(c, VFIO_IOMMU_MAP_DMA, {argsz=32, flags=VFIO_DMA_MAP_FLAG_READ|VFIO_DMA_MAP_FLAG_WRITE, vaddr=buf, iova=0x100000, size=16K})
  = 0
  [1] mm> pages buf 16K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7f0080000000  present  1001  rw      yes    yes    no       1025    1    1  anon  yes
  7f0080001000  present  1002  rw      yes    yes    no       1025    1    1  anon  yes
  7f0080002000  present  1003  rw      yes    yes    no       1025    1    1  anon  yes
  7f0080003000  present  1004  rw      yes    yes    no       1025    1    1  anon  yes
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS          PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  12      6 (129 PTEs)  4       -
? How many pages does the container keep pinned while the DMA mapping exists?
!= 16K / 4K
  [1] mm> ioctl(c, VFIO_IOMMU_UNMAP_DMA, {argsz=24, iova=0x100000, size=16K})
  = 0 {argsz=24, flags=0, iova=0x100000, size=0x4000}
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS          PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  12      6 (129 PTEs)  0       -

Last, unbind the NIC too, but this time the program has registered a
request eventfd (VFIO_DEVICE_SET_IRQS, VFIO_PCI_REQ_IRQ_INDEX), as QEMU
does to pass the request on to the guest. Each request signals it; every
tenth is logged. An AER error would signal the err eventfd the same way.

  [1] mm> e = eventfd2(0, EFD_NONBLOCK)
  = 7
  [1] mm> ioctl(d, VFIO_DEVICE_SET_IRQS, {argsz=24, flags=VFIO_IRQ_SET_DATA_EVENTFD|VFIO_IRQ_SET_ACTION_TRIGGER, index=VFIO_PCI_REQ_IRQ_INDEX, count=1, data=e})
  = 0
  [1] mm> @t device-unbind 05:00.0
  write(/sys/bus/pci/drivers/vfio-pci/unbind, "0000:05:00.0") <unfinished ...> (vfio-pci remove waits in vfio_unregister_group_dev)
  [1] mm> sleep 105s
  [1] mm> read(e, "", 8)
  = 8 "\v\0\0\0\0\0\0\0"
  [1] mm> vfio
  DEVICE        GROUP         OPEN  MEMORY  PHYS  FAULTS  ZAPS          PINNED  REMOVAL
  0000:05:00.0  /dev/vfio/10  1     on      Mem+  12      6 (129 PTEs)  0       waiting, 11 requests
  [1] mm> munmap(r5, 128K)
  = 0
  [1] mm> close(d)
  = 0
  [pid 2] <... write resumed> = 12
  [1] mm> dmesg
  [    0.000034] vfio-pci 0000:04:00.0: No device request channel registered, blocked until released by user
  [   30.000035] vfio-pci 0000:04:00.0: Device is currently in use, task "prog" (2) blocked until device is released
  [   30.000040] [emu] host-fatal: Unsupported Request escalated: MMIO write of 1 at 0000:05:00.0 BAR0+0x40 (present, Mem-)
  [   30.000048] ------------[ cut here ]------------
  [   30.000048] WARNING: CPU: 0 PID: 1 at include/linux/mmap_lock.h:161 remap_pfn_range_notrack+0x625/0x650
  [   30.000048] CPU: 0 PID: 1 Comm: prog Not tainted 6.18.0 #1
  [   30.000048] RIP: 0010:remap_pfn_range_notrack+0x625/0x650
  [   30.000048] Call Trace:
  [   30.000048]  <TASK>
  [   30.000048]  remap_pfn_range
  [   30.000048]  vfio_pci_mmap_fault
  [   30.000048]  __do_fault
  [   30.000048]  do_fault
  [   30.000048]  __handle_mm_fault
  [   30.000048]  handle_mm_fault
  [   30.000048]  do_user_addr_fault
  [   30.000048]  exc_page_fault
  [   30.000048]  asm_exc_page_fault
  [   30.000048]  </TASK>
  [   30.000048] ---[ end trace 0000000000000000 ]---
  [   30.000051] ------------[ cut here ]------------
  [   30.000051] WARNING: CPU: 0 PID: 1 at include/linux/rwsem.h:85 remap_pfn_range_notrack+0x625/0x650
  [   30.000051] CPU: 0 PID: 1 Comm: prog Tainted: W 6.18.0 #1
  [   30.000051] RIP: 0010:remap_pfn_range_notrack+0x625/0x650
  [   30.000051] Call Trace:
  [   30.000051]  <TASK>
  [   30.000051]  remap_pfn_range
  [   30.000051]  vfio_pci_mmap_fault
  [   30.000051]  __do_fault
  [   30.000051]  do_fault
  [   30.000051]  __handle_mm_fault
  [   30.000051]  handle_mm_fault
  [   30.000051]  do_user_addr_fault
  [   30.000051]  exc_page_fault
  [   30.000051]  asm_exc_page_fault
  [   30.000051]  </TASK>
  [   30.000051] ---[ end trace 0000000000000000 ]---
  [   30.000079] vfio-pci 0000:05:00.0: Relaying device request to user (#0)
  [  130.000079] vfio-pci 0000:05:00.0: Relaying device request to user (#10)
  [1] mm> check
  ok
? How many requests did the program get, and how many did the log show? (Give the first.)
!= 105 / 10 + 1
! One at the unbind and one every 10 s of the 105 s after it (105 / 10 + 1): the eventfd's 8-byte count reads that number. The log shows #0, #10, ... only. Until the program closes the device, the unbind waits, however long it takes.

What each design did to the program:

design                            | the program, memory off     | first touch, 32 pages   | it risked
mmap-remap (<= 5.7)               | reads ff ff ff ff, no error | 0 faults (all at mmap)  | a host-fatal error on some platforms
remap-in-fault (5.8 - 6.9)        | SIGBUS BUS_ADRERR, read EIO | 1 fault fills 32 PTEs   | WARNING per fault (lockdep 6.3+, any 6.10-rc)
 + fork, ->open first (6.9)      | the child: ff ff ff ff      | (the child: 0 faults)   | the host-fatal error again, from the child
insert-pfn+prefault (6.10, 6.11)  | SIGBUS BUS_ADRERR, read EIO | 1 fault fills 32 PTEs   | nothing seen
insert-pfn (comparison)           | SIGBUS BUS_ADRERR, read EIO | 1 fault per page        | nothing; more faults
huge-fault (6.12+)                | SIGBUS BUS_ADRERR, read EIO | 1 fault per PMD/PUD     | nothing; small BARs fault per page
eager-reinsert (never merged)     | SIGBUS BUS_ADRERR, read EIO | 1 fault, none after     | maps back what nobody touches
