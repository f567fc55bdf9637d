# open: a missing file without O_CREAT is ENOENT; O_CREAT|O_EXCL on an existing one is EEXIST
# follows: open(2)

open("/tmp/none", O_RDONLY)
fd = open("/tmp/f", O_RDWR|O_CREAT|O_EXCL, 0644)
open("/tmp/f", O_RDWR|O_CREAT|O_EXCL, 0644)
open("/tmp/f/x", O_RDONLY)
close(fd)
close(fd)
unlink("/tmp/none")
