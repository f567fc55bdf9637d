# vma: a private file mapping that was written does not merge with a new adjacent mapping of the next file page
# follows: linux-mm.md §0.3 rules 4-5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 16K)
a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(a, 1)
b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 4K)
maps
c = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
d = mmap(0x7f0000011000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 4K)
maps
