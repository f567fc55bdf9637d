# fallocate: FALLOC_FL_ZERO_RANGE zeroes mapped shared pages
# follows: fallocate(2)
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "abcdefgh", 8, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m, 8)
# FALLOC_FL_ZERO_RANGE (0x10): the REPL names only FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE
fallocate(fd, 0x10, 2, 4)
peek(m, 8)
