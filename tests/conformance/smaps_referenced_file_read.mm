# smaps: read(2) marks the file page it copies from accessed (Referenced with an old PTE), but not again when the previous read ended in it; ext4 writes do not; unmapping a young PTE does
# follows: mm/filemap.c filemap_read() (pos_same_folio), mm/memory.c zap_present_folio_ptes() -> folio_mark_accessed()

buf = mmap(0x7f0010000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "abcd", 4, 0)
pwrite(fd, "abcd", 4, 4096)
a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(a, 1)
madvise(a, 8K, MADV_COLD)
smaps a
pread(fd, buf, 1, 0)
smaps a
pread(fd, buf, 1, 0)
pwrite(fd, "x", 1, 4096)
smaps a
madvise(a, 8K, MADV_COLD)
b = mmap(0x7f0001000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(b, 1)
smaps a
munmap(b, 8K)
smaps a
