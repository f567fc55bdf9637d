# munmap: [vdso] can be unmapped whole; its addresses then fault with SEGV_MAPERR
# follows: linux-mm.md §3 (X4)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
munmap(vdso, 8K)
peek(vdso)
maps vvar 32K
