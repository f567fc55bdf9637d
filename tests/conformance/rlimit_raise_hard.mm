# setrlimit: raising a hard limit needs CAP_SYS_RESOURCE (root has it); RLIMIT_NOFILE's hard limit
# still stops at nr_open (1048576, EPERM)
# follows: kernel/sys.c do_prlimit()
# requires: cap_sys_resource=y

setrlimit(RLIMIT_MEMLOCK, {rlim_cur=64K, rlim_max=64K})
setrlimit(RLIMIT_MEMLOCK, {rlim_cur=64K, rlim_max=128K})
getrlimit(RLIMIT_MEMLOCK, {})
setrlimit(RLIMIT_NOFILE, {rlim_cur=4, rlim_max=1048576})
getrlimit(RLIMIT_NOFILE, {})
setrlimit(RLIMIT_NOFILE, {rlim_cur=4, rlim_max=1048577})
