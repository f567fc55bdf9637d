# munmap: unmapping shared anonymous memory in the parent leaves the child's view intact
# follows: linux-mm.md §3, §8.1

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, "shared")
c = fork()
munmap(a, 8K)
@c peek(a, 6)
@c maps
maps
