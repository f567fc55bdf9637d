# maps: an O_TMPFILE file maps as DIR/#INO (deleted)
# follows: open(2) O_TMPFILE; linux-mm.md §10.1

t = open("/tmp", 0x410002, 0600)
pwrite(t, "tmpfile", 7, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, t, 0)
maps
peek(m, 7)
