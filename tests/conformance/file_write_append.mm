# write with O_APPEND goes to EOF whatever f_pos is, and leaves f_pos after the data; pwrite with
# O_APPEND appends too but leaves f_pos alone; a count of 0 writes nothing and keeps f_pos
# follows: mm/filemap.c generic_write_checks_count(); LTP write05, pwrite04

g = open("/tmp/g", O_WRONLY|O_CREAT|O_TRUNC|O_APPEND, 0644)
write(g, "abc", 3)
lseek(g, 0, SEEK_SET)
write(g, "de", 2)
lseek(g, 0, SEEK_CUR)
pwrite(g, "Z", 1, 0)
lseek(g, 0, SEEK_CUR)
lseek(g, 1, SEEK_SET)
write(g, "", 0)
lseek(g, 0, SEEK_CUR)
read(g, 0x7f0000000000, 1)
r = open("/tmp/g", O_RDONLY)
pread(r, 0x7f0000000000, 16, 0)
m = memfd_create("x", 0)
write(m, "abc", 3)
lseek(m, 0, SEEK_CUR)
