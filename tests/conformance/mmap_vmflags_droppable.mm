# smaps: MAP_DROPPABLE is rd wr mr mw me nr wf dd dp
# follows: linux-mm.md §2.2 (M9i); LTP mmap22

d = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(d, 9)
peek(d)
smaps
