# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

Tools that say why. trace on prints the kernel path of every fault and
syscall, one trace: line per step naming the modelled kernel functions and
the decision taken: a read maps the zero page, a write to it copies, an
mprotect in the middle of a VMA splits it twice, a write to a read-only VMA
fails access_error with SEGV_ACCERR. explain ADDR [r|w|x] says what an
access would do without doing it: the VMA, the PTE, the frame with its
refcount and mapcount after fork, the policy knobs consulted, the outcome.
Replay it with:
deno task replay scripts/examples/trace-explain.mm

  [1] mm> a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbc000
  [1] mm> trace on
  [1] mm> peek(a)
  trace: do_user_addr_fault: read at 0x7ffff7fbc000 by prog:1
  trace: do_user_addr_fault → lock_mm_and_find_vma: vma 7ffff7fbc000-7ffff7fc2000 rw-p (rd wr mr mw me ac); access_error: read allowed
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault: read, pte none
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_pte_missing → do_anonymous_page → set_pte_at: read: maps the shared zero page read-only (mm.zeroPage=map)
  trace: do_user_addr_fault: resolved, the access retries and hits
  = 0
  [1] mm> poke(a, 1)
  trace: do_user_addr_fault: write at 0x7ffff7fbc000 by prog:1
  trace: do_user_addr_fault → lock_mm_and_find_vma: vma 7ffff7fbc000-7ffff7fc2000 rw-p (rd wr mr mw me ac); access_error: write allowed
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault: write, pte present special
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_wp_page → wp_page_copy: the zero page: a fresh zeroed page replaces it
  trace: do_user_addr_fault: resolved, the access retries and hits
  = 1
  [1] mm> mprotect(a + 4K, 4K, PROT_READ)
  trace: __do_sys_mprotect: pid 1
  trace: __do_sys_mprotect → mprotect_fixup: 0x7ffff7fbd000-0x7ffff7fbe000 of vma 7ffff7fbc000-7ffff7fc2000 rw-p (rd wr mr mw me ac) to r--p
  trace: __do_sys_mprotect → mprotect_fixup → vma_modify_flags
  trace: __do_sys_mprotect → mprotect_fixup → vma_modify_flags → __split_vma: vma 7ffff7fbc000-7ffff7fc2000 rw-p (rd wr mr mw me ac) split at 0x7ffff7fbd000
  trace: __do_sys_mprotect → mprotect_fixup → vma_modify_flags → __split_vma: vma 7ffff7fbd000-7ffff7fc2000 rw-p (rd wr mr mw me ac) split at 0x7ffff7fbe000
  trace: __do_sys_mprotect → mprotect_fixup → change_protection: PTEs of 0x7ffff7fbd000-0x7ffff7fbe000 rewritten
  trace: __do_sys_mprotect: returns 0
  = 0
  [1] mm> poke(a + 4K, 1)
  trace: do_user_addr_fault: write at 0x7ffff7fbd000 by prog:1
  trace: do_user_addr_fault → access_error → bad_area_access_error: vma 7ffff7fbd000-7ffff7fbe000 r--p (rd mr mw me ac) does not allow write
  trace: do_user_addr_fault: SIGSEGV SEGV_ACCERR si_addr=0x7ffff7fbd000
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7ffff7fbd000} ---
  [1] mm> trace off
  [1] mm> b = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fba000
  [1] mm> poke(b, 1)
  = 1
  [1] mm> fork()
  = 2
  [1] mm> explain b w
  write at 0x7ffff7fba000:
    vma:      7ffff7fba000-7ffff7fbd000 rw-p VmFlags: rd wr mr mw me ac
    pte:      present dirty pfn 0x1001
    frame:    pfn 0x1001 anon refcount 2 mapcount 2 pins 0
    path:     do_user_addr_fault → handle_mm_fault → handle_pte_fault
    path:     do_wp_page → wp_page_copy: COW: a private copy
    outcome:  cow-copy
  [1] mm> explain b + 4K
  read at 0x7ffff7fbb000:
    vma:      7ffff7fba000-7ffff7fbd000 rw-p VmFlags: rd wr mr mw me ac
    pte:      none
    policy:   uffd.rfcDesign=userfaultfd mm.zeroPage=map
    path:     do_user_addr_fault → handle_mm_fault → handle_pte_fault
    path:     do_anonymous_page → set_pte_at: a read maps the shared zero page read-only
    outcome:  zero-page
  [1] mm> explain 0x10 w
  write at 0x10:
    vma:      none
    pte:      none
    path:     do_user_addr_fault → lock_mm_and_find_vma: the address is in a hole
    outcome:  segv (SIGSEGV SEGV_MAPERR si_addr=0x10)
