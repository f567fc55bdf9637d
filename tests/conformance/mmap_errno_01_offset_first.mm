# mmap: an unaligned offset is EINVAL before every other check, even a bad fd and len 0
# follows: linux-mm.md §2.1 row 1 (M2a, T1); LTP mmap06

mmap(NULL, 0, PROT_READ, MAP_PRIVATE, 99, 1)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x123)
mmap(0x7f0000000001, 0, 0xff, 0, 1234, 4095)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 4K)
