# fork: commands aimed at a dead process are refused with the reason
# follows: mmlab REPL; linux-mm.md §8

c = fork()
@c exit(7)
@c getpid()
@c
@9 getpid()
