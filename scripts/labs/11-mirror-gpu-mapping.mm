# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

Lab 11: A mirror over a GPU mapping (seed 003)

January 2019, "mm/vma: add support for peer to peer to device vma": Jerome
Glisse proposed that a driver mapping device memory into a process (a GPU's
BAR, through mmap of its device file) give its VMA a p2p_map operation, so
that another device mirroring the process (an RDMA NIC with on-demand
paging, HMM) could ask the exporter for bus addresses. Mirroring would then
succeed for every VMA except special ones, and for those only if p2p_map
did. Jason Gunthorpe wanted a "trial" call, hmm_mirror_is_maybe_supported(),
to learn at registration time whether a range could ever work; Jerome
answered that HMM already returns -EFAULT for a range with no valid VMA or
without the needed protection, and that afterwards "any failure is just
treated in a same way" (munmap, mprotect, ...).

Neither p2p_map nor the trial call was merged. This machine has the pieces
of the thread: the RDMA NIC 03:00.0 and a GPU 04:00.0 under one PCIe switch,
/dev/nvidia0 mapping the GPU's BAR 2 (lib/drivers/gpu), interval notifiers
and hmm_range_fault (mm/mmu_notifier.c, mm/hmm.c), and the PCI p2p rules
(drivers/pci/p2pdma.c). The device side is played by `hmm_range_fault`,
which drives a mirroring device (a dmirror, as lib/test_hmm.c has) through
the same protocol an ODP memory region uses since 5.10
(ib_umem_odp_map_dma_and_lock): mmu_interval_read_begin, hmm_range_fault
with HMM_PFN_REQ_FAULT (+REQ_WRITE for a writable MR), retries on -EBUSY for
up to 1 s, mmu_interval_read_retry, then the device page table is written.
This lab drives hmm_range_fault directly, as a driver would: the RDMA
driver's ODP memory regions are not on this branch yet.

Make one buffer that spans ordinary memory and the GPU: two pages of heap,
then two pages of the GPU's aperture mapped right after them.

  [1] mm> fd = open("/dev/nvidia0", O_RDWR)
  = 3
  [1] mm> heap = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbc000
  [1] mm> memset(heap, 0x41, 8K)
  = 8192
  [1] mm> gpu = mmap(heap + 8K, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
  = 0x7ffff7fbe000
  [1] mm> maps heap 16K
  7ffff7fbc000-7ffff7fbe000 rw-p 00000000 00:00 0 
  7ffff7fbe000-7ffff7fc0000 rw-s 00000000 00:06 2000                       /dev/nvidia0
  [1] mm> pages heap 16K
  ADDRESS       PTE      PFN      ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND    EXCL
  7ffff7fbc000  present  1000     rw      yes    yes    no         1    1    0  anon    yes
  7ffff7fbd000  present  1001     rw      yes    yes    no         1    1    0  anon    yes
  7ffff7fbe000  present  6000000  rw      no     yes    yes        -    -    -  device  -
  7ffff7fbf000  present  6000001  rw      no     yes    yes        -    -    -  device  -
? What is special about the GPU half of the buffer?
! The driver mapped it with remap_pfn_range() from ->mmap: the VMA is VM_IO|VM_PFNMAP (smaps: io pf de dd), its PTEs are special and point at BAR 2's pfns, beyond RAM, with no struct page to count references on (REF/MAP stay empty in `pages`).

Design 1: a pinned memory region. ibv_reg_mr() without ON_DEMAND ends in
ib_umem_get(), which pins the whole range with
pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM) and treats a short count as
failure (it unpins what it got and fails the registration).

  [1] mm> pin_user_pages(heap, 4, FOLL_WRITE|FOLL_LONGTERM)
  = 2
  [1] mm> unpin_user_pages(heap, 4)
  = 2
  [1] mm> pin_user_pages(gpu, 2, FOLL_WRITE|FOLL_LONGTERM)
  = -1 EFAULT (Bad address)
? What does ibv_reg_mr over [heap, heap + 16K) return, and where does GUP stop?
! NULL with errno EFAULT: GUP pins the two heap pages and stops at the GPU VMA (check_vma_flags: VM_IO|VM_PFNMAP is -EFAULT), so the count is short (2 of 4) and ib_umem_get unpins them and fails. Over the GPU part alone the very first page fails: -EFAULT.

Design 2: an on-demand-paging region (IBV_ACCESS_ON_DEMAND, today's
kernel). Registration pins nothing: ib_umem_odp_get() only subscribes an
interval notifier over the range, so it succeeds whatever is mapped there.
The errors come when the NIC touches the memory: its page fault goes
through hmm_range_fault.

  [1] mm> hmm_range_fault(heap, 2, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fbe000, default_flags=HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE, notifier_seq=1}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbc000   0x1000       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbd000   0x1001       HMM_PFN_VALID|HMM_PFN_WRITE
  = 0
  [1] mm> hmm_range_fault(gpu, 2, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbe000, end=0x7ffff7fc0000, default_flags=HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE, notifier_seq=1}) = -14 EFAULT (Bad address)
  = -14 EFAULT (Bad address)
  [1] mm> hmm_range_fault(heap, 4, 0)
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fc0000, default_flags=0, notifier_seq=1}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbc000   0x1000       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbd000   0x1001       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbe000   -            HMM_PFN_ERROR
  0x7ffff7fbf000   -            HMM_PFN_ERROR
  = 0
? What does the device get for the heap half, for the GPU half, and what does asking without REQ_FAULT show?
! The heap pages come back HMM_PFN_VALID|HMM_PFN_WRITE with their pfns and are written into the device page table. The GPU half is -EFAULT: hmm_vma_walk_test refuses a VM_IO|VM_PFNMAP VMA when a fault is requested. Without a request the same pages are reported as HMM_PFN_ERROR (since 5.7) and the call returns 0.
? How would the NIC report the -EFAULT?
! The ODP page fault fails, so the work request that touched those pages completes with an error status (a local access: IBV_WC_LOC_PROT_ERR; an RDMA READ/WRITE from a peer: IBV_WC_REM_ACCESS_ERR at the requester) and the QP moves to the error state. The registration itself had succeeded.

Design 3: the 2019 RFC (policy hmm.p2pMap=rfc-2019, preset rfc-2019-p2p).
The GPU driver's VMA carries p2p_map; a mirror of a special VMA asks the
exporter, which answers from the PCI p2p rules for the importing device
(here the NIC). The trial call reports per VMA, without faulting.

  [1] mm> policy hmm.p2pMap rfc-2019
  hmm.p2pMap = rfc-2019
  [1] mm> hmm_mirror_is_maybe_supported(heap, 16K)
  [0x7ffff7fbc000, 0x7ffff7fbe000) mirrorable
  [0x7ffff7fbe000, 0x7ffff7fc0000) p2p_map: bus addresses
  = 0
  [1] mm> hmm_range_fault(heap, 4, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fc0000, default_flags=HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE, notifier_seq=1}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbc000   0x1000       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbd000   0x1001       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbe000   0x6000000    HMM_PFN_VALID|HMM_PFN_WRITE (bus address, p2p_map)
  0x7ffff7fbf000   0x6000001    HMM_PFN_VALID|HMM_PFN_WRITE (bus address, p2p_map)
  = 0
  [1] mm> p2pdma distance 03:00.0 04:00.0
  PCI_P2PDMA_MAP_BUS_ADDR, distance 4, common upstream bridge 0000:01:00.0
  pci_p2pdma_distance() = 4
? Why could p2p_map give the NIC bus addresses for the GPU pages?
! calc_map_type_and_dist finds a common upstream bridge (the switch, 01:00.0) two levels above each device: distance 4, PCI_P2PDMA_MAP_BUS_ADDR, so the switch routes the NIC's TLPs to the GPU's BAR without the root complex. The slots hold the BAR's bus pfns (VALID|WRITE).

Firmware or an IOMMU setup often turns on ACS Request/Completion Redirect on
the switch's downstream ports, which forces peer traffic up to the root
complex. Turn it on for the GPU's port and let the NIC fault again.

  [1] mm> p2pdma acs 02:09.0 on
  0000:02:09.0: ACS Control RR+ CR+
  [1] mm> hmm_range_fault(gpu, 2, HMM_PFN_REQ_FAULT)
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbe000, end=0x7ffff7fc0000, default_flags=HMM_PFN_REQ_FAULT, notifier_seq=1}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbe000   0x6000000    HMM_PFN_VALID (bus address, p2p_map)
  0x7ffff7fbf000   0x6000001    HMM_PFN_VALID (bus address, p2p_map)
  = 0
  [1] mm> dmesg
  [    0.000006] mlx5_core 0000:03:00.0: ACS redirect is set between the client and provider (0000:04:00.0)
  [    0.000006] mlx5_core 0000:03:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:02:09.0
  [1] mm> p2pdma distance 03:00.0 04:00.0
  PCI_P2PDMA_MAP_THRU_HOST_BRIDGE, distance 4, common upstream bridge 0000:01:00.0
  pci_p2pdma_distance() = 4
  [1] mm> p2pdma distance 05:00.0 04:00.0
  PCI_P2PDMA_MAP_THRU_HOST_BRIDGE, distance 6
  pci_p2pdma_distance() = 6
? The redirect changed the path: why does p2p_map still succeed, and when would it not?
! With ACS redirect the map type is THRU_HOST_BRIDGE (the kernel warns once per client, with the pci=disable_acs_redir= list); that is allowed when the CPU is known to route peer traffic (AMD Zen) or the host bridge is on pci_p2pdma_whitelist. This machine's host bridge, 8086:2020 (Skylake-E), is; with one that is not, the type is NOT_SUPPORTED, pci_p2pdma_distance() is -1, p2p_map refuses and the mirror fault is -EFAULT again (the trial call would have said -EREMOTEIO at registration).

Now change the mapping under the device. Every PTE change goes through the
mmu notifiers: the mirror's invalidate callback moves its sequence to the
odd cur_seq and drops its device PTEs in the range.

  [1] mm> notifiers
  invalidate_seq 2, active_invalidate_ranges 0
  ID  OWNER            START           END             SEQ  INVALIDATIONS  DEVICE PTES
  1   hmm_dmirror      0               0x7ffffffff000  1    0              4
    1: iova 0x7ffff7fbc000 -> pfn 0x1000 rw
    1: iova 0x7ffff7fbd000 -> pfn 0x1001 rw
    1: iova 0x7ffff7fbe000 -> bus pfn 0x6000000 ro
    1: iova 0x7ffff7fbf000 -> bus pfn 0x6000001 ro
  [1] mm> mprotect(heap + 4K, 4K, PROT_NONE)
  = 0
  [1] mm> munmap(gpu + 4K, 4K)
  = 0
  [1] mm> notifiers
  invalidate_seq 6, active_invalidate_ranges 0
  ID  OWNER            START           END             SEQ  INVALIDATIONS  DEVICE PTES
  1   hmm_dmirror      0               0x7ffffffff000  5    2              2
    1: PROTECTION_VMA [0x7ffff7fbd000, 0x7ffff7fbe000) cur_seq 3, 1 device PTE dropped
    1: UNMAP [0x7ffff7fbf000, 0x7ffff7fc0000) cur_seq 5, 1 device PTE dropped
    1: iova 0x7ffff7fbc000 -> pfn 0x1000 rw
    1: iova 0x7ffff7fbe000 -> bus pfn 0x6000000 ro
  [1] mm> hmm_range_fault(heap, 2, HMM_PFN_REQ_FAULT)
  mmu_interval_read_begin() = 5
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fbe000, default_flags=HMM_PFN_REQ_FAULT, notifier_seq=5}) = -14 EFAULT (Bad address)
  = -14 EFAULT (Bad address)
  [1] mm> hmm_range_fault(gpu, 2, HMM_PFN_REQ_FAULT)
  mmu_interval_read_begin() = 5
  hmm_range_fault({start=0x7ffff7fbe000, end=0x7ffff7fc0000, default_flags=HMM_PFN_REQ_FAULT, notifier_seq=5}) = -14 EFAULT (Bad address)
  = -14 EFAULT (Bad address)
  [1] mm> hmm_range_fault(heap, 1, HMM_PFN_REQ_FAULT)
  mmu_interval_read_begin() = 5
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fbd000, default_flags=HMM_PFN_REQ_FAULT, notifier_seq=5}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbc000   0x1000       HMM_PFN_VALID|HMM_PFN_WRITE
  = 0
? What happened to the device page table, and what does the next device access see?
! mprotect (PROTECTION_VMA) and munmap (UNMAP) each invalidated their page: the device PTEs for heap + 4K and gpu + 4K are gone and invalidate_seq moved by 2 each time (odd during the call, even after). The next access refaults: -EFAULT for the PROT_NONE page (no VM_READ) and for the hole, the same error as for any other reason, as Jerome said; pages still mapped fault back in.

What each design gives the program:

design               | registration              | NIC to heap | NIC to GPU part         | after munmap/mprotect
pinned MR            | EFAULT (GUP stops)        | -           | -                       | -
ODP (5.10+)          | succeeds, nothing pinned  | works       | -EFAULT: error WC       | invalidated; refault -EFAULT: error WC
RFC p2p_map (2019)   | succeeds; trial call says | works       | works iff p2p allows it | invalidated; refault -EFAULT: error WC

Today the p2p path goes elsewhere: P2PDMA pages (GUP with FOLL_PCI_P2PDMA,
6.2) and dma-buf importers (ibv_reg_dmabuf_mr, 5.12), still gated by the
same calc_map_type_and_dist rules.
