# fork in a thread: the child is a new process whose one thread is a copy of the caller (tid = its pid); it has the parent's thread stacks; the parent's threads go on
# follows: fork(2) ("the child process is created with a single thread: the one that called fork()")

t = pthread_create()
u = pthread_create()
@t c = fork()
@c gettid()
@c getpid()
@c maps
@c x = pthread_create()
@x gettid()
@c exit_group(2)
@u gettid()
@t gettid()
@u d = fork()
@d exit(3)
