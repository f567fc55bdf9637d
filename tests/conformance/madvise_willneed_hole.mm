# madvise: MADV_WILLNEED over a hole is ENOMEM
# follows: linux-mm.md §6.1 rule 6

a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(a, 8K, MADV_WILLNEED)
madvise(a, 4K, MADV_WILLNEED)
