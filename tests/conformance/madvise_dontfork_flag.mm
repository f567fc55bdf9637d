# madvise: MADV_DONTFORK sets dc on the range (splitting the VMA); MADV_DOFORK clears it and merges
# follows: linux-mm.md §6.2 (A8, A8c)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 4K, 4K, MADV_DONTFORK)
maps
smaps a + 4K
madvise(a + 4K, 4K, MADV_DOFORK)
maps
