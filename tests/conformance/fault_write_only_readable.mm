# fault: PROT_WRITE-only memory is readable on x86; PROT_EXEC-only memory too
# follows: linux-mm.md §7.1, §11.14 (F3c, F4c)

w = mmap(0x7f0000000000, 4K, PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
x = mmap(0x7f0000002000, 4K, PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(w, 5)
peek(w)
peek(x)
poke(x, 1)
