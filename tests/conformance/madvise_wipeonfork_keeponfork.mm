# madvise: MADV_WIPEONFORK sets wf, MADV_KEEPONFORK clears it (also on shared memory)
# follows: linux-mm.md §6.2 (A8b, A8d, A9b); LTP madvise10

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
s = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(a, 8K, MADV_WIPEONFORK)
maps
smaps a
madvise(a, 16K, MADV_KEEPONFORK)
madvise(s, 4K, MADV_KEEPONFORK)
maps
