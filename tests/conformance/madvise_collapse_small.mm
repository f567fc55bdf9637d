# madvise: MADV_COLLAPSE of a range smaller than a huge page
# follows: linux-mm.md §6.2
# requires: thp=madvise

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
madvise(a, 16K, MADV_COLLAPSE)
