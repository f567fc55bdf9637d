# smaps: a page shared copy-on-write by three processes counts a third in Pss
# follows: linux-mm.md §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 12K)
c = fork()
d = fork()
smaps
@c poke(a, 2)
smaps
