# pthread_create: glibc's stack (8 MiB rw-p above a PROT_NONE guard page, MAP_STACK) and clone3; the thread's tid comes from the pid space
# follows: pthread_create(3) (glibc allocatestack.c: mmap PROT_NONE, mprotect above the guard); gettid(2)

t = pthread_create()
maps
@t gettid()
@t getpid()
u = pthread_create()
@u gettid()
maps
c = fork()
@c gettid()
@c getpid()
@c maps
@c exit(0)
@1
@u exit(1)
maps
