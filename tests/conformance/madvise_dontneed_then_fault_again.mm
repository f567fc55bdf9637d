# madvise: after MADV_DONTNEED a write faults in a fresh zeroed page
# follows: linux-mm.md §6.2 (A2)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x51, 16K)
madvise(a, 16K, MADV_DONTNEED)
poke(a + 5, 1)
peek(a, 8)
smaps
