# madvise: MADV_DONTNEED on PROT_NONE memory is allowed and drops the data
# follows: linux-mm.md §6.2 (A2)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 9)
mprotect(a, 16K, PROT_NONE)
madvise(a, 16K, MADV_DONTNEED)
mprotect(a, 16K, PROT_READ)
peek(a)
