# nanosleep blocks its thread only: the others run calls meanwhile; the end prints as <... nanosleep resumed> when sleep/wait let the time pass; a bad timespec is EINVAL at once; exit_group ends a sleeper with = ?
# follows: nanosleep(2) (hrtimer_nanosleep; EINVAL for tv_nsec outside [0, 999999999]); strace -f's unfinished/resumed lines

t = pthread_create()
@t nanosleep({tv_sec=0, tv_nsec=60000000})
@t gettid()
gettid()
a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
poke(a, 5)
u = pthread_create()
@u peek(a)
@u nanosleep({tv_sec=0, tv_nsec=20000000})
sleep 10ms
wait t
@u nanosleep({tv_sec=0, tv_nsec=-1})
@u nanosleep({tv_sec=0, tv_nsec=1000000000})
@u nanosleep({tv_sec=-1, tv_nsec=0})
@t nanosleep({tv_sec=0, tv_nsec=10000000})
wait
wait
@t nanosleep({tv_sec=0, tv_nsec=5000000})
@u nanosleep({tv_sec=0, tv_nsec=1000000})
wait u
@u nanosleep({tv_sec=0, tv_nsec=0})
exit_group(3)
