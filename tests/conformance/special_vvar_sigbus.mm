# fault: [vvar] pages 1 and 3 and [vvar_vclock] page 1 have no page behind them: SIGBUS
# follows: linux-mm.md §7.6 (F10, F10b)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
peek(vvar + 4K)
peek(vvar + 12K + 5)
peek(vvar + 20K)
poke(vvar, 1)
