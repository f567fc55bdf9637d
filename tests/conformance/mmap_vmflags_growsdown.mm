# smaps: MAP_GROWSDOWN gives gd (and ac when writable)
# follows: linux-mm.md §2.2, §2.5 (M9e)

g = mmap(0x7f0000100000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
smaps
