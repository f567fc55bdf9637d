# munmap: unmapping part of a locked VMA leaves the rest locked
# follows: linux-mm.md §3

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
munmap(a + 4K, 4K)
smaps
