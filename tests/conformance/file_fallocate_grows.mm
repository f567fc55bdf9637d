# fallocate: mode 0 grows the file, so a mapping past the old EOF becomes readable
# follows: fallocate(2); linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
m = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
fallocate(fd, 0, 0, 8K)
peek(m + 4K)
fallocate(fd, FALLOC_FL_KEEP_SIZE, 8K, 8K)
mmap(0x7f0000010000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 8K)
peek(0x7f0000010000)
