# fault in a thread under SIG_DFL: the whole thread group is killed, each live thread reports +++ killed by SIGSEGV +++ as strace -f shows
# follows: linux-mm.md §7.1; kernel/signal.c: a fatal signal is do_group_exit() (zap_other_threads)

t = pthread_create()
u = pthread_create()
@u exit(0)
v = pthread_create()
signal(SIGSEGV, SIG_DFL)
@v peek(0x10)
