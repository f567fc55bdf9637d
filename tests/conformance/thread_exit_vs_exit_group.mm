# exit vs exit_group: exit ends one thread (its status 8 bits), exit_group the whole group with every live thread reporting it
# follows: exit(2), exit_group(2); kernel/exit.c do_exit vs do_group_exit

t = pthread_create()
u = pthread_create()
@t exit(300)
@u gettid()
c = fork()
@c
x = pthread_create()
y = pthread_create()
@x exit_group(9)
@1
@u exit_group(4)
