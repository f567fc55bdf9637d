# populating an MADV_FREE (clean) page for write, by MADV_POPULATE_WRITE or mlock, makes it dirty again
# follows: mm/gup.c follow_page_pte() (FOLL_WRITE | FOLL_TOUCH: folio_mark_dirty()); found by repl/host/fuzz.ts
# requires: swap=n

a = mmap(0x7f0000015000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
madvise(a, 16K, MADV_FREE)
# drain this CPU's LRU batches now (MADV_COLD begins with lru_add_drain()), as fuzz.ts does:
# else the host applies the lazyfree batch whenever it drains, before or after the populates
d = mmap(0x7f0000100000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(d, 4K, MADV_COLD)
madvise(a, 4K, MADV_POPULATE_WRITE)
madvise(a + 4K, 4K, MADV_POPULATE_READ)
mlock(a + 8K, 4K)
smaps
