# madvise: an unknown advice is EINVAL, even with len 0, an unaligned start, or nothing mapped
# follows: linux-mm.md §6.1 rule 1 (A1, A1b); LTP madvise02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 4K, 1212)
madvise(a + 1, 0, 1212)
madvise(0x7f0000100000, 4K, 5)
madvise(a, 4K, 6)
madvise(a, 4K, 7)
madvise(a, 4K, 26)
madvise(a, 4K, 104)
madvise(a, 4K, -1)
