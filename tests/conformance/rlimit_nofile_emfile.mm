# RLIMIT_NOFILE bounds the fds open and memfd_create hand out: past the soft limit, EMFILE
# follows: fs/file.c alloc_fd(); LTP open08, getrlimit

setrlimit(RLIMIT_NOFILE, {rlim_cur=5, rlim_max=200})
open("/tmp/a", O_RDWR|O_CREAT, 0644)
memfd_create("x", 0)
open("/tmp/a", O_RDWR|O_CREAT, 0644)
memfd_create("x", 0)
close(3)
open("/tmp/a", O_RDONLY)
