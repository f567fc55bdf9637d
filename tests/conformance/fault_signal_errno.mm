# signal: SIGKILL and SIGSTOP (and signals out of range) cannot be caught: EINVAL
# follows: signal(2)

signal(SIGKILL, SIG_IGN)
signal(19, SIG_DFL)
signal(0, SIG_DFL)
signal(65, SIG_DFL)
signal(SIGBUS, SIG_CATCH)
signal(2, SIG_IGN)
