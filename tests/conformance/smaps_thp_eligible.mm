# smaps: THPeligible is 1 for a 2 MiB aligned anonymous area with MADV_HUGEPAGE (THP madvise mode)
# follows: linux-mm.md §10.2
# requires: thp=madvise

a = mmap(0x7f0000200000, 4M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
smaps
madvise(a, 4M, MADV_HUGEPAGE)
smaps
