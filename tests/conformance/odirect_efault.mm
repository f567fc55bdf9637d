# O_DIRECT into memory GUP cannot take: an unmapped buffer or a read-only one (the device writes it: FOLL_WRITE) is EFAULT; a write from a read-only buffer is fine
# follows: block/bio.c bio_iov_iter_get_pages() (iov_iter_extract_pages fails: -EFAULT); mm/gup.c check_vma_flags()

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC|O_DIRECT, 0644)
a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
pwrite(fd, a, 4096, 0)
pread(fd, a, 4096, 0)
pread(fd, 0x7f0000100000, 4096, 0)
mprotect(a + 4K, 4K, PROT_READ|PROT_WRITE)
pread(fd, a + 4K, 4096, 0)
