# madvise: MADV_PAGEOUT of shared anonymous pages another process covers with an MLOCK_ONFAULT lock it never faulted: the pages are not mlocked, so they are reclaimed (a clean one dropped, a dirty one unmapped but cached: no swap); the range running past the VMA is ENOMEM after the VMA's part
# follows: mm/madvise.c madvise_cold_or_pageout_pte_range(); mm/vmscan.c shrink_folio_list() (folio_evictable(): PG_mlocked is set by mapping into a VM_LOCKED VMA, mlock_folio()); found by the differential fuzzer

s = mmap(0x7f0000016000, 44K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = fork()
@c mlock2(s + 8K, 32K, MLOCK_ONFAULT)
peek(s + 16K, 1)
poke(s + 20K, 7)
madvise(s + 16K, 52K, MADV_PAGEOUT)
mincore(s, 44K)
smaps s
@c smaps s
