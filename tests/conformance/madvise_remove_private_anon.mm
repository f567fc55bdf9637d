# madvise: MADV_REMOVE on private anonymous memory is EINVAL
# follows: linux-mm.md §6.2 (A10); LTP madvise03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_REMOVE)
