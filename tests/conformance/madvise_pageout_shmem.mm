# madvise: MADV_PAGEOUT of memfd pages with no swap: a page only read (clean, zero) is dropped, a written (dirty) one is unmapped but kept
# follows: mm/vmscan.c shrink_folio_list() (clean: __remove_mapping; dirty shmem: pageout fails, activate)

fd = memfd_create("m", 0)
ftruncate(fd, 8K)
s = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(s)
poke(s + 4K, 0x41)
mincore(s, 8K)
madvise(s, 8K, MADV_PAGEOUT)
mincore(s, 8K)
smaps s
peek(s + 4K)
