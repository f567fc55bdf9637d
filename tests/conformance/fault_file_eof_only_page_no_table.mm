# fault: a fault past EOF maps nothing by fault-around when the first cached page of its window is the file's last page and the PMD has no page table yet
# follows: mm/filemap.c filemap_map_pages() (can_map_large false: filemap_map_pmd() and its pmd_install() skipped, pte_offset_map_lock() fails)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 12163)
o = mmap(0x7f0100000000, 12K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(o, 1)
a = mmap(0x7f0000000000, 24K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(a + 5*4096, 1)
smaps a
b = mmap(0x7f0001000000, 24K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 8K)
peek(b + 5*4096, 1)
smaps b
peek(b, 1)
peek(b + 4*4096, 1)
smaps b
