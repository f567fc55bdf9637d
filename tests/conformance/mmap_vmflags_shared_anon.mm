# smaps: MAP_SHARED|MAP_ANONYMOUS is shmem /dev/zero (deleted) at 00:01 with sh ms, no ac
# follows: linux-mm.md §2.2 (M6j), §10.1

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
smaps
