# mmap: an unaligned non-fixed hint is rounded down to its page and used when free
# follows: linux-mm.md §2.4 (M5a)

a = mmap(0x7f0000000123, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(0x7f0000010fff, 1, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
