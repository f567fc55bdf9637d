# mmap: MAP_SYNC reaches ext4 even through plain MAP_SHARED: EOPNOTSUPP on a non-DAX disk
# follows: linux-mm.md §2.1 rows 19 and 36, §11.7 (M2h3)
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 4K, PROT_READ, MAP_SHARED_VALIDATE|MAP_SYNC, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED|MAP_SYNC, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_SYNC, fd, 0)
a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_SYNC|MAP_FIXED, fd, 0)
maps
peek(a)
