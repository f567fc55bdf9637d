# fork: a MADV_WIPEONFORK VMA is present in the child but reads zero
# follows: linux-mm.md §8.1 (K3, K6); LTP madvise10

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x77, 16K)
madvise(a, 8K, MADV_WIPEONFORK)
c = fork()
@c peek(a)
@c peek(a + 8K)
@c maps
@c smaps a
peek(a)
