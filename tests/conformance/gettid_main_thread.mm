# gettid: a process's main thread has tid = pid, in a child too
# follows: gettid(2)

gettid()
getpid()
c = fork()
@c gettid()
@c getpid()
