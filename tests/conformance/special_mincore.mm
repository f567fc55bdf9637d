# mincore: special mappings report every page resident
# follows: linux-mm.md (mincore)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
mincore(vvar, 16K)
mincore(vdso, 8K)
