# mmap: a PROT_READ|PROT_EXEC private file mapping is readable, not writable
# follows: LTP mmap03
# requires: tmp_noexec=n

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "code", 4, 0)
m = mmap(NULL, 4K, PROT_READ|PROT_EXEC, MAP_PRIVATE, fd, 0)
peek(m, 4)
poke(m, 1)
exec(m)
maps
