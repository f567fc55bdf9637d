# mremap: growing [vdso] (VM_DONTEXPAND) is EFAULT
# follows: linux-mm.md §5.1 row 18 (R21)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
mremap(vdso, 8K, 16K, MREMAP_MAYMOVE)
mremap(vdso, 8K, 16K, 0)
