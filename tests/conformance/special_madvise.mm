# madvise on special mappings: DONTNEED (PFNMAP), DOFORK (VM_IO), DODUMP (VM_SPECIAL), POPULATE_READ are EINVAL; WILLNEED is fine; DONTFORK of one page cannot split
# follows: linux-mm.md §6.2, §11.10 (A12, A12b, A12c, A12d, A12f, A12g)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
madvise(vvar, 16K, MADV_DONTNEED)
madvise(vvar, 16K, MADV_DOFORK)
madvise(vvar, 16K, MADV_DODUMP)
madvise(vvar, 16K, MADV_POPULATE_READ)
madvise(vvar, 16K, MADV_WILLNEED)
madvise(vvar, 4K, MADV_DONTFORK)
madvise(vdso, 4K, MADV_DONTFORK)
