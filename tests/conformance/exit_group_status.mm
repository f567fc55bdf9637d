# exit_group: the whole (single-threaded) process ends, its status truncated to 8 bits like exit's
# follows: exit_group(2)

c = fork()
@c exit_group(256)
d = fork()
@d exit_group(-1)
@1
e = fork()
@e exit_group(7)
ps
