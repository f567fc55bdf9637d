# a thread blocked in a long nanosleep holds up no one: the other threads' mmap, poke, peek, maps and madvise run while it sleeps (on the host the calls answer at once: mmhost's late tagged replies), the sleep's end prints when wait reaches it, then a second sleeper ends under sleep
# follows: nanosleep(2) (hrtimer_nanosleep blocks only the calling task); strace -f's unfinished/resumed lines

t = pthread_create()
u = pthread_create()
@t nanosleep({tv_sec=0, tv_nsec=400000000})
a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
poke(a, 7)
@u peek(a)
@u madvise(a, 4K, MADV_DONTNEED)
peek(a)
@u mprotect(a + 8K, 4K, PROT_READ)
maps
@u nanosleep({tv_sec=0, tv_nsec=100000000})
@u gettid()
wait t
sleep 50ms
gettid()
