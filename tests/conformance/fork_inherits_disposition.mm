# fork: the child inherits the SIGSEGV disposition: with SIG_DFL its fault kills it
# follows: fork(2); signal(7)

signal(SIGSEGV, SIG_DFL)
c = fork()
@c peek(0x7f0000100000)
signal(SIGSEGV, SIG_CATCH)
d = fork()
@d peek(0x7f0000100000)
@d signal(SIGSEGV, SIG_DFL)
peek(0x7f0000100000)
