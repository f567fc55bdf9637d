# fault: in THP madvise mode, the first write to a 2 MiB aligned MADV_HUGEPAGE area maps a whole huge page
# follows: mm/huge_memory.c do_huge_pmd_anonymous_page(); linux-mm.md §10.2 (AnonHugePages)
# requires: thp=madvise
# xfail: transparent huge pages are not modelled: the kernel maps a 2 MiB page on the first write (Rss and AnonHugePages 2048 kB); mmlab maps 4 KiB (lib/mm/fault.ts has no do_huge_pmd_anonymous_page; lib/proc/stats.ts AnonHugePages)

a = mmap(0x7f0000200000, 4M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(a, 4M, MADV_HUGEPAGE)
poke(a, 1)
smaps
mincore(a, 8K)
