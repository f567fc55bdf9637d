# smaps: a shared file page mapped by parent and child is Shared_Clean/Shared_Dirty for both
# follows: linux-mm.md §10.2

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "both", 4, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
c = fork()
@c peek(m)
smaps
@c smaps
