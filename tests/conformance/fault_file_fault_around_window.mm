# fault: a read fault maps the cached file pages of its 64 KiB-aligned window, clipped to the VMA and EOF
# follows: mm/memory.c do_fault_around() (fault_around_bytes = 64K); linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 160K)
s = mmap(NULL, 160K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
memset(s, 0x78, 160K)
munmap(s, 160K)
m = mmap(0x7f0000010000, 80K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 8K)
peek(m + 68K)
smaps m
ftruncate(fd, 12K)
n = mmap(0x7f0000100000, 32K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(n)
smaps n
p = mmap(0x7f0000200000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(p + 8K)
poke(p + 4K, 1)
smaps p
