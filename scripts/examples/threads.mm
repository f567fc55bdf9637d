# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

Threads that block, on the virtual clock. pthread_create() starts a thread
as glibc does; @TID (or @PID.TID, as the prompt shows it) runs a command in
it. A nanosleep blocks its thread: the line says where it sleeps and the
prompt comes back. sleep and wait let virtual time pass; the call's end is
printed marked with its thread, as strace -f prints it. Replay it with:
deno task replay scripts/examples/threads.mm

  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t gettid()
  = 2
  [1] mm> @t nanosleep({tv_sec=1, tv_nsec=0})
  <unfinished ...> (thread 2 sleeps in hrtimer_nanosleep)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   hrtimer_nanosleep    prog
  [1] mm> status
  VmSize:	   10700 kB
  VmLck:	       0 kB
  VmPin:	       0 kB
  VmRSS:	       4 kB
  RssAnon:	       4 kB
  RssFile:	       0 kB
  RssShmem:	       0 kB
  VmData:	    8416 kB
  VmStk:	     132 kB
  VmExe:	      20 kB
  VmLib:	    1528 kB
  VmPTE:	      12 kB
  VmSwap:	       0 kB
  HugetlbPages:	       0 kB
  Threads:	2
  [1] mm> sleep 500ms
  [1] mm> @1.2 getpid()
  error at column 2: thread 2 is asleep in hrtimer_nanosleep; wait 2 lets it finish; threads lists the threads
  [1] mm> wait t
  [pid 2] <... nanosleep resumed> = 0
  (0.500000000s passed)
  [1] mm> clone(CLONE_VM|CLONE_THREAD)
  = -1 EINVAL (Invalid argument)
  [1] mm> u = clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM)
  = 3
  [1] mm> @u
  [1.3] mm> nanosleep({tv_sec=0, tv_nsec=250000000})
  <unfinished ...> (thread 3 sleeps in hrtimer_nanosleep)
  [1.3] mm> @1
  [1] mm> @t nanosleep({tv_sec=2, tv_nsec=0})
  <unfinished ...> (thread 2 sleeps in hrtimer_nanosleep)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   hrtimer_nanosleep    prog
      1     3 Sl   hrtimer_nanosleep    prog
  [1] mm> wait
  [pid 3] <... nanosleep resumed> = 0
  (0.249999000s passed)
  [1] mm> @u exit(0)
  = ?
  +++ exited with 0 +++
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   hrtimer_nanosleep    prog
  [1] mm> exit_group(0)
  = ?
  +++ exited with 0 +++
  [pid 2] <... nanosleep resumed> = ?
  [pid 2] +++ exited with 0 +++
  no process is left alive (ps, meminfo, dmesg and policy still work)
  [1] mm> ps
    PID  PPID STAT    VSZ   RSS COMMAND
      1     0 Z         0     0 prog
