# madvise: MADV_DONTNEED in a forked child drops only the child's view of the COW pages
# follows: linux-mm.md §6.2 (A2), §8.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, "parent")
c = fork()
@c madvise(a, 16K, MADV_DONTNEED)
@c peek(a, 6)
peek(a, 6)
