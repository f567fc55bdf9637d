# madvise: a length that rounds up to 0 or makes start+len wrap is EINVAL
# follows: linux-mm.md §6.1 rule 3 (A1e)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, -1, MADV_NORMAL)
madvise(a, 0xfffffffffffff001, MADV_DONTNEED)
madvise(a, 0xfffffffffffff000, MADV_NORMAL)
