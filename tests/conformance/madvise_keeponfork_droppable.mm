# madvise: MADV_KEEPONFORK on MAP_DROPPABLE memory is EINVAL, as is MADV_DODUMP
# follows: linux-mm.md §6.2 (A9d, A9e)

d = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(d, 8K, MADV_KEEPONFORK)
madvise(d, 8K, MADV_DODUMP)
madvise(d, 8K, MADV_DONTFORK)
smaps
