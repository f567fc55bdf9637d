# madvise: guard regions on a shared file mapping fault with SEGV_MAPERR; removing them restores the file data
# follows: linux-mm.md §6.2 (guard rows)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "guarded", 7, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m, 4K, MADV_GUARD_INSTALL)
peek(m)
madvise(m, 4K, MADV_GUARD_REMOVE)
peek(m, 7)
