# mprotect: [vvar] has no VM_MAYWRITE / VM_MAYEXEC: PROT_WRITE or PROT_EXEC is EACCES
# follows: linux-mm.md §4 row 12 (X4c)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
mprotect(vvar, 16K, PROT_READ|PROT_WRITE)
mprotect(vvar, 16K, PROT_EXEC)
mprotect(vvar, 16K, PROT_READ)
