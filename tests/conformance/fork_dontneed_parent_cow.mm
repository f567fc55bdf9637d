# fork: MADV_DONTNEED in the parent drops its view of a COW page; the child keeps the data
# follows: linux-mm.md §6.2 (A2), §8.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, "keep")
c = fork()
madvise(a, 4K, MADV_DONTNEED)
peek(a)
@c peek(a, 4)
