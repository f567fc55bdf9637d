# maps/smaps: a shared mapping of a read-only fd prints r--s but lacks sh and mw
# follows: linux-mm.md §2.2 (M6f), §10.1

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
smaps
