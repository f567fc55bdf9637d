# mremap: moving a shared file page away and back restores the right pages (vm_pgoff in merge case 3)
# follows: LTP mremap06

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
fallocate(fd, 0, 0, 16K)
b = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(b, 0x30)
poke(b + 4K, 0x31)
poke(b + 8K, 0x32)
poke(b + 12K, 0x33)
munmap(b, 16K)
b = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
mremap(b + 4K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, b + 12K)
mprotect(b + 8K, 4K, PROT_READ)
mremap(b + 12K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, b + 4K)
peek(b)
peek(b + 4K)
peek(b + 8K)
maps
