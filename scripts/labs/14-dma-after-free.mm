# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.IOVA: 0x10000 0x20000 0x7000 0x123000
# vary.LONG: 4M 2M 6M

Lab 14: a DMA into a page that changed owner, and the IOMMU backstop

A device writes memory by bus address, not through any process's page
table. The kernel keeps a page for the device by pinning it
(pin_user_pages); a driver that lets go too early, or a device that is
slow, can write into a page the allocator has since given to someone else.
Nothing in the kernel notices: the data simply lands (devices.md §2.1).
With an IOMMU the device reaches only what is mapped for it; unmapping the
IOVA before freeing the page turns the stray write into a logged fault.

The 82599ES at 05:00.0 plays the device; it is in no IOMMU domain of its own
(the identity default domain: bus address = physical address). A process
fills one page.

  [1] mm> lspci -s 05:00.0
  05:00.0 Ethernet controller: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection (rev 01)
  [1] mm> a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbf000
  [1] mm> poke(a, "mine....")
  = 8
  [1] mm> pagemap a
  7ffff7fbf000 8100000000001000 present exclusive pfn=0x1000
? Which physical address does the driver hand the device?
!= 0x1000 * 4K
! The page frame times the page size: pfn 0x1000 is physical 0x1000000.

The device is busy with a long read (4M, about 8 GB/s on the
virtual clock); the write to the process's page waits behind it.

  [1] mm> dma 05:00.0 read 0 4M
  #1 queued: read 4194304 bytes at 0x0, due in 525288 ns
  [1] mm> dma 05:00.0 write 0x1000000 8 "DMA-DATA"
  #2 queued: write 8 bytes at 0x1000000, due in 526289 ns

Meanwhile the page is freed (nothing pinned it) and another allocation
takes the same frame.

  [1] mm> munmap(a, 4K)
  = 0
  [1] mm> b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbf000
  [1] mm> poke(b, "victim..")
  = 8
  [1] mm> pagemap b
  7ffff7fbf000 8100000000001000 present exclusive pfn=0x1000
  [1] mm> sleep 1ms
  [1] mm> dma 05:00.0
  0000:05:00.0 DMA: 0 pending, 2 completed; bus addresses are physical
  #1 read 0x0 4194304: ok
  #2 write 0x1000000 8: ok
  [1] mm> peek(b, 8)
  7ffff7fbf000  44 4d 41 2d 44 41 54 41                           |DMA-DATA|
? Whose memory did the device write, and did anything complain? (Did anything complain? yes or no)
!= no
! The new owner's: b's page now holds DMA-DATA, and the write completed "ok" with nothing in dmesg. The corruption is silent.

Now the same with an IOMMU domain: the device gets IOVA 0x10000 for the
page, and the "driver" unmaps it before the page is freed.

  [1] mm> c = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbe000
  [1] mm> poke(c, "mine....")
  = 8
  [1] mm> pagemap c
  7ffff7fbe000 8100000000001001 present exclusive pfn=0x1001
  [1] mm> iommu 05:00.0 map 0x10000 0x1001000 4K rw
  = 0
  [1] mm> dma 05:00.0 read 0x10000 4K
  #3 queued: read 4096 bytes at 0x10000, due in 1512 ns
  [1] mm> dma 05:00.0 write 0x10000 8 "DMA-DATA"
  #4 queued: write 8 bytes at 0x10000, due in 2513 ns
  [1] mm> iommu 05:00.0 unmap 0x10000 4K
  = 4096
  [1] mm> munmap(c, 4K)
  = 0
  [1] mm> sleep 1ms
  [1] mm> dma 05:00.0
  0000:05:00.0 DMA: 0 pending, 4 completed; IOMMU domain 1 (0 pages mapped)
  #1 read 0x0 4194304: ok
  #2 write 0x1000000 8: ok
  #3 read 0x10000 4096: iommu-fault
  #4 write 0x10000 8: iommu-fault
  [1] mm> dmesg
  [    0.001010] DMAR: [DMA Read NO_PASID] Request device [05:00.0] fault addr 0x10000 [fault reason 0x06] PTE Read access is not set
  [    0.001011] DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x10000 [fault reason 0x05] PTE Write access is not set
? What happened to the device's write this time? (At which address did the DMAR fault?)
!= 0x10000
! The IOMMU refused it (no translation for IOVA 0x10000 any more): the op completed with iommu-fault and the kernel logged the DMAR line with the device, the address and the reason. Whatever reuses the page is safe.

What each setup gave:

setup                          | the device's write          | the new owner of the page | who noticed
identity domain, pin lost      | lands in the reused page    | corrupted                 | nobody
IOMMU, IOVA unmapped first     | refused (iommu-fault)       | intact                    | dmesg: DMAR fault
