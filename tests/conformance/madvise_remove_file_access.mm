# madvise: MADV_REMOVE needs a shared mapping that may write: private file EACCES, read-only fd EACCES
# follows: linux-mm.md §6.2 (A10c, A10d)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
p = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0)
s = mmap(0x7f0000010000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(p, 4K, MADV_REMOVE)
madvise(s, 4K, MADV_REMOVE)
