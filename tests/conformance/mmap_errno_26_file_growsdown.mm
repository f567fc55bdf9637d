# mmap: MAP_GROWSDOWN on a file is EINVAL, but an O_WRONLY fd is EACCES first
# follows: linux-mm.md §2.1 rows 23 and 26 (M9f)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_GROWSDOWN, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED|MAP_GROWSDOWN, fd, 0)
close(fd)
fd = open("/tmp/f", O_WRONLY)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_GROWSDOWN, fd, 0)
