# smaps: populating sets PG_referenced (counted in Referenced even where the PTE is old, as in a fork child); populating again activates the page and clears it; a third time sets it again; COLD clears it
# follows: mm/gup.c follow_page_pte() FOLL_TOUCH -> mm/swap.c folio_mark_accessed(); fs/proc/task_mmu.c smaps_account()

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
b = mmap(0x7f0001000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
madvise(b, 16K, MADV_POPULATE_WRITE)
c = mmap(0x7f0002000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
madvise(c, 16K, MADV_POPULATE_WRITE)
madvise(c, 16K, MADV_POPULATE_READ)
d = mmap(0x7f0003000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(d, 1, 16K)
e = mmap(0x7f0004000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
madvise(e, 16K, MADV_COLD)
smaps e
k = fork()
@k smaps a
@k smaps b
@k smaps c
@k smaps d
@k smaps e
