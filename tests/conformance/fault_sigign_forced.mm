# fault: an ignored SIGSEGV from a fault is forced to SIG_DFL: the process dies
# follows: linux-mm.md §7.1 (force_sig_fault)

signal(SIGSEGV, SIG_IGN)
peek(0x7f0000000000)
