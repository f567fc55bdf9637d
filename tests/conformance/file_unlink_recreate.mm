# unlink: a new file of the same name is another inode; the old mapping keeps the old data
# follows: unlink(2); linux-mm.md §10.1

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "old", 3, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
unlink("/tmp/f")
g = open("/tmp/f", O_RDWR|O_CREAT, 0644)
pwrite(g, "new", 3, 0)
n = mmap(0x7f0000010000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, g, 0)
peek(m, 3)
peek(n, 3)
maps
