# madvise: MADV_GUARD_INSTALL on mlocked memory is EINVAL
# follows: linux-mm.md §6.2 (guard row)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED|MAP_FIXED, -1, 0)
madvise(a, 4K, MADV_GUARD_INSTALL)
madvise(a, 4K, MADV_GUARD_REMOVE)
