# fork: mlock is not inherited: the child's VMA lacks lo
# follows: linux-mm.md §8.1 (p_fork_mlock)
# xfail: the child's Referenced is 16 kB on the kernel: fork makes the child's PTEs old, but smaps also counts folios with PG_referenced, which mlock's populate set (GUP FOLL_TOUCH -> folio_mark_accessed); mmlab counts young PTEs only (lib/proc/stats.ts, no referenced page flag)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
c = fork()
@c smaps
smaps
