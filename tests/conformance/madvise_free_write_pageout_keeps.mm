# madvise: a write after MADV_FREE cancels the free: MADV_PAGEOUT keeps the page (no swap device)
# follows: mm/rmap.c try_to_unmap_one() (folio_set_swapbacked on a dirty lazyfree page)
# requires: swap=n

a = mmap(0x7f000000a000, 20K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(0x7f000000c000, 225, 240)
poke(0x7f000000d000, 3)
madvise(a, 20K, MADV_FREE)
poke(0x7f000000c001, 7)
madvise(a, 20K, MADV_PAGEOUT)
pagemap(0x7f000000c000, 8K)
peek(0x7f000000c000, 2)
peek(0x7f000000d000)
