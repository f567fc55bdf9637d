# fork: a COW-shared page counts half in each process's Pss
# follows: linux-mm.md §8.1 (K1), §10.2 smaps fields

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 8K)
c = fork()
smaps
@c poke(a, 2)
smaps
@c smaps
