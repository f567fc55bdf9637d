# fork: getpid in parent and children
# follows: fork(2)

getpid()
c = fork()
@c getpid()
@c fork()
@3 getpid()
getpid()
