# madvise: MADV_REMOVE on an ext4 shared mapping (PROT_READ, fd O_RDWR) punches a hole
# follows: linux-mm.md §6.2 (A10e)
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "abcdefgh", 8, 0)
pwrite(fd, "ijklmnop", 8, 4K)
m = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m, 4K, MADV_REMOVE)
peek(m, 8)
peek(m + 4K, 8)
pread(fd, "........", 8, 0)
