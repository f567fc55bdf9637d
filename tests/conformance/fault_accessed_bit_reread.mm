# fault: the MMU sets the accessed bit on every access: after MADV_COLD a re-read counts as Referenced again
# follows: x86 PTE A bit; linux-mm.md §10.2 (Referenced)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
madvise(a, 16K, MADV_COLD)
peek(a + 4K)
smaps
