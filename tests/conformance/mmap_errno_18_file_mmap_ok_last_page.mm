# mmap: file_mmap_ok() needs pgoff <= (MAX_LFS_FILESIZE - len) >> PAGE_SHIFT for a regular file,
# so the last page below LLONG_MAX cannot be mapped (ext4 and memfd alike); one page lower maps
# follows: mm/mmap.c file_mmap_ok(), file_mmap_size_max(); gVisor mmap_test

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0x7ffffffffffff000)
mmap(NULL, 8K, PROT_READ, MAP_PRIVATE, fd, 0x7fffffffffffe000)
mmap(NULL, 2M, PROT_READ, MAP_SHARED, fd, 0x7fffffffffe00000)
a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0x7fffffffffffe000)
m = memfd_create("x", 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, m, 0x7ffffffffffff000)
b = mmap(0x7f0000002000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, m, 0x7fffffffffffe000)
maps
