# fork: an MLOCK_ONFAULT VMA loses lo and lf in the child
# follows: linux-mm.md §8.1 (p_fork_mlock); LTP mlock203

b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock2(b, 16K, MLOCK_ONFAULT)
poke(b, 1)
d = fork()
@d smaps
madvise(b, 16K, MADV_DONTNEED)
madvise(b, 16K, MADV_DONTNEED_LOCKED)
smaps
