# madvise: MADV_COLD and MADV_PAGEOUT succeed on normal memory and are EINVAL on mlocked memory
# follows: linux-mm.md §6.2 (A4f)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x45, 16K)
madvise(a, 16K, MADV_COLD)
peek(a)
l = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED|MAP_FIXED, -1, 0)
madvise(l, 4K, MADV_COLD)
madvise(l, 4K, MADV_PAGEOUT)
