# ext4: a file truncated to 0 (O_TRUNC, even when already empty) and written, then any open file of it closed: auto_da_alloc flushes its dirty pages, so a mapping then sees them clean; a file that was not truncated keeps them dirty
# follows: fs/ext4/inode.c ext4_truncate() (EXT4_STATE_DA_ALLOC_CLOSE), fs/ext4/file.c ext4_release_file() -> ext4_alloc_da_blocks() -> filemap_flush(); found by the differential fuzzer

fd1 = open("/tmp/f2", O_RDONLY|O_CREAT, 0644)
fd3 = open("/tmp/f2", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd3, "file data", 9, 24K)
m = mmap(0x7f0000014000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd3, 20K)
fd7 = open("/tmp/f2", O_RDWR|O_CREAT, 0644)
close(fd7)
peek(m + 4K, 2)
smaps m
fd4 = open("/tmp/g", O_RDWR|O_CREAT, 0644)
pwrite(fd4, "file data", 9, 24K)
n = mmap(0x7f0000024000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd4, 20K)
fd8 = open("/tmp/g", O_RDWR, 0644)
close(fd8)
peek(n + 4K, 2)
smaps n
