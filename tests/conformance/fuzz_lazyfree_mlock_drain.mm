# MADV_FREE pages lose Referenced when an mlock that changes a VMA drains the LRU batches (even one failing with ENOMEM); the pending state is not observed: the host may drain it any time
# follows: mm/swap.c folio_mark_lazyfree(), lru_lazyfree(); mm/mlock.c mlock_vma_pages_range(); found by repl/host/fuzz.ts (seed 10 case 58)
# requires: swap=n

a = mmap(0x7f0000015000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
madvise(a + 4K, 12K, MADV_FREE)
mmap(0x7f000000b000, 12K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(0x7f000000b000, 16K)
smaps
