# special mappings refuse to be split: munmap/mprotect/mremap of part of [vdso] or [vvar] is EINVAL
# follows: linux-mm.md §0.3, §3, §5.1 row 19 (X4, X4e, R21b)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
munmap(vdso, 4K)
mprotect(vdso + 4K, 4K, PROT_READ)
mprotect(vvar, 4K, PROT_READ)
mremap(vdso, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000000000)
maps vvar 32K
