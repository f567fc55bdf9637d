# fork: MAP_DROPPABLE memory is wiped in the child (VM_WIPEONFORK)
# follows: linux-mm.md §2.2 (M9i), §8.1

d = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(d, 7)
c = fork()
@c peek(d)
peek(d)
