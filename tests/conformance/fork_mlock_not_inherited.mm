# fork: mlock is not inherited: the child's VMA lacks lo
# follows: linux-mm.md §8.1 (p_fork_mlock)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
c = fork()
@c smaps
smaps
