# mincore: a fault in a PROT_EXEC file mapping reads forward from the page, ra_pages at most and not past the VMA, even under MADV_RANDOM
# follows: mm/filemap.c do_sync_mmap_readahead() VM_EXEC branch (exec_folio_order() is 0 on x86; VM_RAND_READ ignored for VM_EXEC)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 32M)
o = mmap(0x7f0100000000, 32M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
x = mmap(0x7f0000000000, 32M, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(x + 4096*4096)
mincore(o + 4094*4096, 4*4096)
mincore(o + 6142*4096, 4*4096)
y = mmap(0x7f0200000000, 1M, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, fd, 16M)
madvise(y, 1M, MADV_RANDOM)
peek(y + 100*4096)
mincore(o + 4194*4096, 4*4096)
mincore(o + 4350*4096, 4*4096)
smaps y
