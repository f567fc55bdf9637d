# madvise: guard markers are copied to a forked child (VM_MAYBE_GUARD copies page tables)
# follows: linux-mm.md §8.1 (VM_COPY_ON_FORK)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 4K, 4K, MADV_GUARD_INSTALL)
c = fork()
@c peek(a + 4K)
@c peek(a)
