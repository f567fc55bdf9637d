# maps/smaps: [vvar], [vvar_vclock] and [vdso] lines and VmFlags
# follows: linux-mm.md §10.1, §10.2 ([vvar] rd mr pf io de dd, [vdso] rd ex mr mw me de)
# requires: vdso=7ffff7fc8000

vvar = 0x7ffff7fc2000
vdso = 0x7ffff7fc8000
maps vvar 32K
