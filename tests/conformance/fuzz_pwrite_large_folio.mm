# pwrite whose source faults: the ext4 folio write_begin made is sized by the write (order ilog2(len) - 12) and stays cached whole
# follows: mm/filemap.c __filemap_get_folio() with fgf_set_order(); ext4 large folios (6.16+); found by repl/host/fuzz.ts
# requires: tmp_fs=ext4

b = mmap(0x7f0000020000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(b, 0x61, 4K)
fd = open("/tmp/f1", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, b, 8192, 0)
pwrite(fd, b + 4000, 16K, 32K)
pwrite(fd, 0x7f0000030000, 32K, 64K)
m = mmap(0x7f0000000000, 128K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mincore(m, 128K)
