# fallocate: punching a hole zeroes the mapped shared pages; private COW copies survive
# follows: fallocate(2); linux-mm.md §6.2 (MADV_REMOVE)
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "aaaabbbb", 8, 0)
pwrite(fd, "cccc", 4, 4K)
s = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
p = mmap(0x7f0000010000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(p + 4K, "P")
peek(s, 8)
fallocate(fd, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 0, 8K)
peek(s, 8)
peek(s + 4K, 4)
peek(p + 4K, 4)
peek(p, 4)
