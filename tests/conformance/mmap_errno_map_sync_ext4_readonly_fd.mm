# mmap: ext4's f_op has FOP_MMAP_SYNC, so MAP_SHARED_VALIDATE|MAP_SYNC passes do_mmap's flag mask and a read-only fd fails the write check (EACCES) before ext4_file_mmap_prepare refuses MAP_SYNC
# follows: linux-mm.md §2.1 rows 19, 20 and 36
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ro = open("/tmp/f", O_RDONLY)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED_VALIDATE|MAP_SYNC, ro, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED_VALIDATE|MAP_SYNC, ro, 0)
m = memfd_create("m", 0)
ftruncate(m, 4K)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED_VALIDATE|MAP_SYNC, m, 0)
