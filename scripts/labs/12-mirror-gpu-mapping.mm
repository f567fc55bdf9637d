# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# fixed: the lesson is this exact layout (two heap pages, then two GPU pages) and this PCI topology; the pin counts, faults and p2p distances follow from them

Lab 12: A mirror over a GPU mapping (seed 003)

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
(drivers/pci/p2pdma.c). The RDMA side is libibverbs and the mlx5 uverbs
driver: ibv_reg_mr pins (ib_umem_get), or, with IBV_ACCESS_ON_DEMAND, pins
nothing (ib_umem_odp_get). `mr_access` makes the NIC touch an MR as a work
request would ([emu]: there is no peer and no data moves; it prints the
completion status). An ODP MR's page fault is the protocol of
ib_umem_odp_map_dma_and_lock (5.10+): mmu_interval_read_begin,
hmm_range_fault with HMM_PFN_REQ_FAULT (+REQ_WRITE for a writable MR),
-EBUSY retried for up to 1 s, mmu_interval_read_retry, then the MR's device
page table (iova -> pfn) is written.

Make one buffer that spans ordinary memory and the GPU: two pages of heap,
then two pages of the GPU's aperture mapped right after them. Open the NIC.

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
  [1] mm> ctx = ibv_open_device("mlx5_0")
  openat(AT_FDCWD, "/dev/infiniband/uverbs0", O_RDWR|O_CLOEXEC) = 4
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 4, 0) = 0x7ffff7fbb000
  = 0x5555555602a0 {cmd_fd=4, async_fd=5}
  [1] mm> pd = ibv_alloc_pd(ctx)
  = 0x5555555603a0
? What is special about the GPU half of the buffer? (How many of the four PTEs are special?)
!= 2
! The driver mapped it with remap_pfn_range() from ->mmap: the VMA is VM_IO|VM_PFNMAP (smaps: io pf de dd), its PTEs are special and point at BAR 2's pfns, beyond RAM, with no struct page to count references on (REF/MAP stay empty in `pages`).

Design 1: a pinned memory region. ibv_reg_mr() without ON_DEMAND ends in
ib_umem_get(), which pins the whole range with
pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM).

  [1] mm> ibv_reg_mr(pd, heap, 16K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE|IBV_ACCESS_REMOTE_READ)
  = NULL errno=EFAULT (Bad address)
  [1] mm> pin_user_pages(heap, 4, FOLL_WRITE|FOLL_LONGTERM)
  = 2
  [1] mm> unpin_user_pages(heap, 4)
  = 2
  [1] mm> vmstat
  nr_free_pages 258046
  nr_anon_pages 2
  nr_mapped 0
  nr_file_pages 0
  nr_shmem 0
  nr_foll_pin_acquired 4
  nr_foll_pin_released 4
? Why EFAULT, and what happened to the heap pages GUP had already pinned? (How many did pin_user_pages pin?)
!= 2
! GUP pins the two heap pages and stops at the GPU VMA (check_vma_flags: VM_IO|VM_PFNMAP is -EFAULT), so the count is short (2 of 4: pin_user_pages shows it); ib_umem_get treats a short count as failure, unpins what it got (nr_foll_pin_acquired and _released move together) and the registration fails with EFAULT.

Design 2: an on-demand-paging region (IBV_ACCESS_ON_DEMAND, today's
kernel). Registration pins nothing: ib_umem_odp_get() only subscribes an
interval notifier over the range, so it succeeds whatever is mapped there.
The errors come when the NIC touches the memory.

  [1] mm> mr = ibv_reg_mr(pd, heap, 16K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE|IBV_ACCESS_REMOTE_READ|IBV_ACCESS_ON_DEMAND)
  = 0x5555555604a0 {addr=0x7ffff7fbc000, length=16384, lkey=0x20000, rkey=0x20000}
  [1] mm> notifiers
  invalidate_seq 2, active_invalidate_ranges 0
  ID  OWNER            START           END             SEQ  INVALIDATIONS  DEVICE PTES
  1   odp mr           0x7ffff7fbc000  0x7ffff7fc0000  1    0              0
  [1] mm> mr_access(mr, 0, 8K, "rdma-write")
  mlx5_ib page fault: iova 0x7ffff7fbc000, 2 pages, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 1, hmm_range_fault() = 0
  = {status=IBV_WC_SUCCESS}
  [1] mm> mr_access(mr, 0, 8K, "rdma-write")
  = {status=IBV_WC_SUCCESS}
  [1] mm> mr_access(mr, 8K, 4K, "rdma-read")
  mlx5_ib page fault: iova 0x7ffff7fbe000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 1, hmm_range_fault() = -14
  = {status=IBV_WC_REM_ACCESS_ERR} (the page fault failed)
  [1] mm> mr_access(mr, 8K, 4K, "send")
  mlx5_ib page fault: iova 0x7ffff7fbe000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 1, hmm_range_fault() = -14
  = {status=IBV_WC_LOC_PROT_ERR} (the page fault failed)
  [1] mm> hmm_range_fault(heap, 4, 0)
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fc0000, default_flags=0, notifier_seq=1}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbc000   0x1000       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbd000   0x1001       HMM_PFN_VALID|HMM_PFN_WRITE
  0x7ffff7fbe000   -            HMM_PFN_ERROR
  0x7ffff7fbf000   -            HMM_PFN_ERROR
  = 0
  [1] mm> mmu_interval_notifier_remove(2)
  = 0
? Which accesses faulted, and what did each get? (How many of the four mr_access calls failed?)
!= 2
! The first RDMA WRITE into the heap half found no device PTEs: one page fault, hmm_range_fault(REQ_FAULT|REQ_WRITE) = 0, the MTT got both pages, IBV_WC_SUCCESS; the second found them present and took no fault. Any access to the GPU half faults and hmm_range_fault says -EFAULT (hmm_vma_walk_test refuses VM_IO|VM_PFNMAP when a fault is requested): the work request fails, IBV_WC_REM_ACCESS_ERR at the peer for its RDMA READ, IBV_WC_LOC_PROT_ERR for the NIC's own SEND, and the QP would go to the error state.
? What does hmm_range_fault report for the same range without a fault request? (What does it return?)
!= 0
! VALID|WRITE with the pfn for the heap pages, HMM_PFN_ERROR for the special ones (since 5.7), and it returns 0: only a fault request makes a special VMA a hard failure. (The REPL's hmm_range_fault used a dmirror-like device of its own, subscription 2, removed afterwards.)

Design 3: the 2019 RFC (policy hmm.p2pMap=rfc-2019, preset rfc-2019-p2p).
The GPU driver's VMA carries p2p_map; the NIC's fault on a special VMA asks
the exporter, which answers from the PCI p2p rules for the importing device
(the NIC). The trial call reports per VMA, without faulting.

  [1] mm> policy hmm.p2pMap rfc-2019
  hmm.p2pMap = rfc-2019
  [1] mm> hmm_mirror_is_maybe_supported(heap, 16K)
  [0x7ffff7fbc000, 0x7ffff7fbe000) mirrorable
  [0x7ffff7fbe000, 0x7ffff7fc0000) p2p_map: bus addresses
  = 0
  [1] mm> mr_access(mr, 8K, 4K, "rdma-write")
  mlx5_ib page fault: iova 0x7ffff7fbe000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 1, hmm_range_fault() = 0
  = {status=IBV_WC_SUCCESS}
  [1] mm> p2pdma distance 03:00.0 04:00.0
  PCI_P2PDMA_MAP_BUS_ADDR, distance 4, common upstream bridge 0000:01:00.0
  pci_p2pdma_distance() = 4
? Why could p2p_map give the NIC bus addresses for the GPU page? (At which p2p distance?)
!= 4
! calc_map_type_and_dist finds a common upstream bridge (the switch, 01:00.0) two levels above each device: distance 4, PCI_P2PDMA_MAP_BUS_ADDR, so the switch routes the NIC's TLPs to the GPU's BAR without the root complex. The MTT now holds the BAR's bus pfn for that iova (`notifiers` marks it bus).

Firmware or an IOMMU setup often turns on ACS Request/Completion Redirect on
the switch's downstream ports, which forces peer traffic up to the root
complex. Turn it on for the GPU's port (normally it is set at boot, before
any driver asks), let the NIC touch the other GPU page, then ask for the
distance as a driver setting up p2p would (pci_p2pdma_distance, verbose).

  [1] mm> p2pdma acs 02:09.0 on
  0000:02:09.0: ACS Control RR+ CR+
  [1] mm> mr_access(mr, 12K, 4K, "rdma-write")
  mlx5_ib page fault: iova 0x7ffff7fbf000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 1, hmm_range_fault() = 0
  = {status=IBV_WC_SUCCESS}
  [1] mm> p2pdma distance 03:00.0 04:00.0
  PCI_P2PDMA_MAP_THRU_HOST_BRIDGE, distance 4, common upstream bridge 0000:01:00.0
  pci_p2pdma_distance() = 4
  [1] mm> dmesg
  [    0.000008] mlx5_core 0000:03:00.0: ACS redirect is set between the client and provider (0000:04:00.0)
  [    0.000008] mlx5_core 0000:03:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:02:09.0
  [1] mm> p2pdma distance 05:00.0 04:00.0
  PCI_P2PDMA_MAP_THRU_HOST_BRIDGE, distance 6
  pci_p2pdma_distance() = 6
? Why did the NIC's fault still get bus addresses without a word in dmesg, while p2pdma distance warned? (Did the access succeed? yes or no)
!= yes
! The exporter asks pci_p2pdma_map_type(), which reads the provider's cache (map_types): the first query for this client stored BUS_ADDR, and nothing recomputes it when ACS changes. pci_p2pdma_distance() always recomputes: the redirect sends the path through the host bridge (THRU_HOST_BRIDGE, the two ACS warnings with the pci=disable_acs_redir= list) and refreshes the cache.
? When would the route through the host bridge be refused? (Is this machine's host bridge on the whitelist? yes or no)
!= yes
! THRU_HOST_BRIDGE is allowed when the CPU is known to route peer traffic (AMD Zen) or the host bridge is on pci_p2pdma_whitelist. This machine's, 8086:2020 (Skylake-E), is; with one that is not, the type is NOT_SUPPORTED (warning: do not share an upstream bridge or whitelisted host bridge), pci_p2pdma_distance() is -1, p2p_map refuses and the NIC's fault is -EFAULT again; the trial call would have said -EREMOTEIO at registration.

Now change the mapping under the NIC. Every PTE change goes through the mmu
notifiers: the MR's invalidate callback (mlx5_ib_invalidate_range) moves its
sequence to the odd cur_seq and drops its device PTEs in the range.

  [1] mm> notifiers
  invalidate_seq 2, active_invalidate_ranges 0
  ID  OWNER            START           END             SEQ  INVALIDATIONS  DEVICE PTES
  1   odp mr           0x7ffff7fbc000  0x7ffff7fc0000  1    0              4
    1: iova 0x7ffff7fbc000 -> pfn 0x1000 rw
    1: iova 0x7ffff7fbd000 -> pfn 0x1001 rw
    1: iova 0x7ffff7fbe000 -> bus pfn 0x6000000 rw
    1: iova 0x7ffff7fbf000 -> bus pfn 0x6000001 rw
  [1] mm> mprotect(heap + 4K, 4K, PROT_NONE)
  = 0
  [1] mm> munmap(gpu + 4K, 4K)
  = 0
  [1] mm> notifiers
  invalidate_seq 6, active_invalidate_ranges 0
  ID  OWNER            START           END             SEQ  INVALIDATIONS  DEVICE PTES
  1   odp mr           0x7ffff7fbc000  0x7ffff7fc0000  5    2              2
    1: PROTECTION_VMA [0x7ffff7fbd000, 0x7ffff7fbe000) cur_seq 3, 1 device PTE dropped
    1: UNMAP [0x7ffff7fbf000, 0x7ffff7fc0000) cur_seq 5, 1 device PTE dropped
    1: iova 0x7ffff7fbc000 -> pfn 0x1000 rw
    1: iova 0x7ffff7fbe000 -> bus pfn 0x6000000 rw
  [1] mm> mr_access(mr, 0, 8K, "recv")
  mlx5_ib page fault: iova 0x7ffff7fbd000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 5, hmm_range_fault() = -14
  = {status=IBV_WC_LOC_PROT_ERR} (the page fault failed)
  [1] mm> mr_access(mr, 12K, 4K, "rdma-read")
  mlx5_ib page fault: iova 0x7ffff7fbf000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 5, hmm_range_fault() = -14
  = {status=IBV_WC_REM_ACCESS_ERR} (the page fault failed)
  [1] mm> mr_access(mr, 0, 4K, "send")
  = {status=IBV_WC_SUCCESS}
  [1] mm> ibv_dereg_mr(mr)
  = 0
? What happened to the MR's device page table, and what does the next NIC access see? (How many device PTEs did the two changes leave?)
!= 2
! mprotect (PROTECTION_VMA) and munmap (UNMAP) each invalidated their page: the device PTEs for heap + 4K and gpu + 4K are gone and invalidate_seq moved by 2 each time (odd during the call, even after). The next access to them faults again and fails with -EFAULT, for the PROT_NONE page (no VM_READ) as for the hole: an error completion, the same whatever the reason, as Jerome said. The page still mapped needs no fault.

What each design gives the program:

design               | registration              | NIC to heap | NIC to GPU part         | after munmap/mprotect
pinned MR            | EFAULT (GUP stops)        | -           | -                       | -
ODP (5.10+)          | succeeds, nothing pinned  | works       | -EFAULT: error WC       | invalidated; refault -EFAULT: error WC
RFC p2p_map (2019)   | succeeds; trial call says | works       | works iff p2p allows it | invalidated; refault -EFAULT: error WC

Today the p2p path goes elsewhere: P2PDMA pages (GUP with FOLL_PCI_P2PDMA,
6.2) and dma-buf importers (ibv_reg_dmabuf_mr, 5.12), still gated by the
same calc_map_type_and_dist rules.
