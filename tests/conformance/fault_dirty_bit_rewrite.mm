# fault: after MADV_FREE cleans the PTEs, a write through the present PTE makes that page dirty again
# follows: x86 PTE D bit; linux-mm.md §6.2 (A7c), §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
madvise(a, 16K, MADV_FREE)
smaps
poke(a + 8K, 2)
smaps
