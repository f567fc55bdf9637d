# O_DIRECT on an ext4 file: the offset and the length must be multiples of the disk's 512-byte logical block, else EINVAL; aligned I/O moves the bytes between the disk and the user pages
# follows: fs/iomap/direct-io.c iomap_dio_bio_iter() (pos | length not block aligned: -EINVAL); fs/ext4/file.c ext4_dio_read_iter/ext4_dio_write_iter

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC|O_DIRECT, 0644)
a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 0x41, 4K)
pwrite(fd, a, 100, 0)
pwrite(fd, a, 512, 1)
pwrite(fd, a, 4096, 0)
pwrite(fd, a + 1K, 512, 4096)
pread(fd, a + 8K, 100, 0)
pread(fd, a + 8K, 512, 256)
pread(fd, a + 8K, 1024, 3584)
peek(a + 8K, 8)
peek(a + 8K + 1016, 8)
lseek(fd, 0, SEEK_END)
