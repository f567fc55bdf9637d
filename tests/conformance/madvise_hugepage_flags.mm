# madvise: MADV_HUGEPAGE sets hg, MADV_NOHUGEPAGE sets nh (replacing hg)
# follows: linux-mm.md §10.2; LTP madvise01
# requires: thp=madvise

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_HUGEPAGE)
smaps
madvise(a, 16K, MADV_NOHUGEPAGE)
smaps
