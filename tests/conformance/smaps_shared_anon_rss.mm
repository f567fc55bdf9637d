# smaps: shared anonymous pages count as Shared_Dirty/Private_Dirty by mapper count, not Anonymous
# follows: linux-mm.md §10.2

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
smaps
c = fork()
@c peek(a)
smaps
