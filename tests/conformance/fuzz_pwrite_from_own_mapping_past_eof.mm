# pwrite from a shared mapping of the same empty file: the failed copy grows i_size, the source then faults in and the write succeeds
# follows: mm/filemap.c generic_perform_write() (fault_in_iov_iter_readable() after a 0-byte copy, then retry); found by repl/host/fuzz.ts (seed 4 case 7)
# requires: tmp_fs=ext4

fd1 = open("/tmp/f2", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(0x7f0000001000, 20K, PROT_READ, MAP_SHARED|MAP_FIXED, fd1, 0K)
pwrite(fd1, 0x7f0000001000, 4096, 7880)
mincore(0x7f0000001000, 12K)
