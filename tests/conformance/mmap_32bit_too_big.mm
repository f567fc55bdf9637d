# mmap: MAP_32BIT cannot place 2 GiB in the first 2 GiB: ENOMEM
# follows: LTP mmap23

mmap(NULL, 2G, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT, -1, 0)
