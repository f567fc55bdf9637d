# madvise: guard markers disappear with munmap; a new mapping there is accessible
# follows: linux-mm.md §6.2 (guard rows)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_GUARD_INSTALL)
munmap(a, 16K)
b = mmap(a, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(b, 1)
peek(b)
