# vma: after fork, a faulted anonymous VMA in the child does not merge with a new neighbour
# follows: linux-mm.md §0.3 rule 5 (list_is_singular)

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
c = fork()
@c mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
@c maps
mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
