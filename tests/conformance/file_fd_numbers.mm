# open: fds are the lowest free numbers, from 3 (0-2 are open)
# follows: open(2)

a = open("/tmp/a", O_RDWR|O_CREAT, 0644)
b = open("/tmp/b", O_RDWR|O_CREAT, 0644)
close(a)
c = open("/tmp/c", O_RDWR|O_CREAT, 0644)
d = memfd_create("d", 0)
