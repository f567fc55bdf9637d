# pwrite from an unmapped buffer: EFAULT, yet i_size grows to the offset and the page is cached and dirty (ext4 and memfd)
# follows: mm/filemap.c generic_perform_write() (write_begin before the copy; write_end with 0 copied); found by repl/host/fuzz.ts (seed 1 case 5)
# requires: tmp_fs=ext4

fd = open("/tmp/f1", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, 0x7f0000012000, 100, 12441)
pread(fd, "x", 16, 0)
pwrite(fd, 0x7f0000012000, 100, 100)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mincore(m, 16K)
peek(m + 12K)
smaps m
k = memfd_create("k", 0)
pwrite(k, 0x7f0000012000, 100, 5000)
m2 = mmap(0x7f0000010000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, k, 0)
mincore(m2, 8K)
smaps m2
