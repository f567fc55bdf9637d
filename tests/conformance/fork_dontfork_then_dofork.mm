# fork: MADV_DOFORK restores inheritance
# follows: linux-mm.md §6.2 (A8c), §8.1

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_DONTFORK)
madvise(a, 16K, MADV_DOFORK)
c = fork()
@c maps
