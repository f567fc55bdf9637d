# madvise: MADV_FREE on files, shared anonymous memory and mlocked memory is EINVAL
# follows: linux-mm.md §6.2 (A7, A7b, A4e)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
s = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
l = mmap(0x7f0000020000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED|MAP_FIXED, -1, 0)
madvise(m, 4K, MADV_FREE)
madvise(s, 4K, MADV_FREE)
madvise(l, 4K, MADV_FREE)
