# madvise: MADV_PAGEOUT discards a clean MADV_FREE page (no swap needed); the next read sees zeros
# follows: mm/rmap.c try_to_unmap_one() (lazyfree discard); mm/swap.c lru_lazyfree()

a = mmap(0x7f000000a000, 20K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(0x7f000000c000, 225, 240)
poke(0x7f000000d000, 3)
madvise(a, 20K, MADV_FREE)
peek(0x7f000000d000)
madvise(a, 20K, MADV_PAGEOUT)
pagemap(0x7f000000c000, 8K)
smaps(a)
peek(0x7f000000c000, 2)
peek(0x7f000000d000)
