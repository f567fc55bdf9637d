# pwrite: a source buffer in a mapping of the same file is copied with page faults disabled; its fault comes after ->write_end() moved i_size to the write's offset, so the fault-around then maps the page being written too
# follows: mm/filemap.c generic_perform_write() (copy_folio_from_iter_atomic, write_end, fault_in_iov_iter_readable), filemap_map_pages() (end at i_size); found by the differential fuzzer

fd = open("/tmp/f2", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(0x7f000001f000, 20K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 12K)
pwrite(fd, 0x7f000001d000, 100, 24K)
mincore(0x7f000001f000, 20K)
pwrite(fd, 0x7f0000020000, 8192, 28638)
pagemap 0x7f000001f000 20K
smaps 0x7f000001f000 20K
