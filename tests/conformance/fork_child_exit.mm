# fork: a child that exits reports its status; the session returns to the parent
# follows: linux-mm.md §8; strace's +++ exited with +++

c = fork()
@c
getpid()
exit(3)
getpid()
@c getpid()
