# maps: shared anonymous memory shows /dev/zero (deleted) on 00:01 with its own inode each time
# follows: linux-mm.md §10.1 (M6j)

a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
