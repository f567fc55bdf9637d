# exit: the status is truncated to 8 bits (256 exits with 0, -1 with 255)
# follows: exit(2)

c = fork()
@c exit(256)
d = fork()
@d exit(-1)
e = fork()
@e exit(0x1234)
