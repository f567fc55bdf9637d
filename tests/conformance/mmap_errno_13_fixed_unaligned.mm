# mmap: MAP_FIXED and MAP_FIXED_NOREPLACE with an unaligned address are EINVAL; nothing is mapped
# follows: linux-mm.md §2.1 row 13 (M3a, M3b); LTP mmap06

mmap(0x7f0000000001, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mmap(0x7f0000000800, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
maps
