# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

Tracing the paths of persistent memory, GUP and HMM. A read of a hole in
a DAX file maps the shared zero page and allocates nothing (fs/dax.c
dax_load_hole); the first write reaches ext4's DAX fault handler through
do_wp_page → wp_pfn_shared → ->pfn_mkwrite, allocates a zeroed block
(ext4_iomap_begin, IOMAP_F_NEW), unmaps the zero page from every mapping
(dax_insert_entry) and maps the block writable. A long-term pin of fsdax
is refused by check_vma_flags, which names the policy. trace json
prints each step as a record {fn, path, decision, vma, policy, errno, pfn}:
here hmm_range_fault's walk of a VMA with no page table yet.
Replay it with:
deno task replay scripts/examples/trace-dax-gup-hmm.mm

  [1] mm> fd = open("/mnt/pmem/f", O_RDWR|O_CREAT, 0644)
  = 3
  [1] mm> ftruncate(fd, 8K)
  = 0
  [1] mm> a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbe000
  [1] mm> trace on
  [1] mm> peek(a)
  trace: do_user_addr_fault: read at 0x7ffff7fbe000 by prog:1
  trace: do_user_addr_fault → lock_mm_and_find_vma: vma 7ffff7fbe000-7ffff7fc0000 rw-s (rd wr sh mr mw me ms hg); access_error: read allowed
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault: read, pte none
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → do_read_fault → __do_fault: vm_ops->fault of /mnt/pmem/f at pgoff 0
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → do_read_fault → __do_fault → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault: pgoff 0: read
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → do_read_fault → __do_fault → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault → iomap_iter → ext4_iomap_begin: IOMAP_HOLE: no block
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → do_read_fault → __do_fault → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault → dax_fault_iter → dax_load_hole → vmf_insert_page_mkwrite: read of a hole: the shared zero page, mapped read-only (no block allocated)
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → do_read_fault → __do_fault: VM_FAULT_NOPAGE: ->fault installed the PTE itself
  trace: do_user_addr_fault: resolved, the access retries and hits
  = 0
  [1] mm> poke(a, 7)
  trace: do_user_addr_fault: write at 0x7ffff7fbe000 by prog:1
  trace: do_user_addr_fault → lock_mm_and_find_vma: vma 7ffff7fbe000-7ffff7fc0000 rw-s (rd wr sh mr mw me ms hg); access_error: write allowed
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault: write, pte present special
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_wp_page → wp_pfn_shared: no struct page behind the PTE: vm_ops->pfn_mkwrite
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_wp_page → wp_pfn_shared → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault: pgoff 0: IOMAP_WRITE
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_wp_page → wp_pfn_shared → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault → iomap_iter → ext4_iomap_begin: IOMAP_MAPPED|IOMAP_F_NEW: a zeroed block allocated, pfn 0x40000
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_wp_page → wp_pfn_shared → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault → dax_fault_iter → dax_insert_entry → unmap_mapping_pages: the zero page of the hole at pgoff 0 is unmapped from every mapping
  trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_wp_page → wp_pfn_shared → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault → dax_fault_iter → vmf_insert_page_mkwrite: block pfn 0x40000 mapped writable and dirty
  trace: do_user_addr_fault: resolved, the access retries and hits
  = 1
  [1] mm> pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)
  trace: pin_user_pages: 1 page at 0x7ffff7fbe000, FOLL_WRITE|FOLL_LONGTERM|FOLL_PIN
  trace: pin_user_pages → mm_set_has_pinned_flag: MMF_HAS_PINNED set
  trace: pin_user_pages → __get_user_pages: 1 page at 0x7ffff7fbe000: FOLL_PIN takes the pin bias
  trace: pin_user_pages → __get_user_pages → check_vma_flags: FOLL_LONGTERM on fsdax (vma_is_fsdax): -EOPNOTSUPP
  trace: pin_user_pages: returns -EOPNOTSUPP
  = -1 EOPNOTSUPP (Operation not supported)
  [1] mm> b = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  trace: __do_sys_mmap: pid 1
  trace: __do_sys_mmap → do_mmap → __mmap_region: 0x7ffff7fbc000-0x7ffff7fbe000
  trace: __do_sys_mmap → do_mmap → __mmap_region → vma_merge_new_range: no compatible neighbour: a new VMA
  trace: __do_sys_mmap: returns 0x7ffff7fbc000
  = 0x7ffff7fbc000
  [1] mm> trace json
  [1] mm> hmm_range_fault(b, 1, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)
  trace: {"fn":"mmu_interval_read_begin","path":["mmu_interval_read_begin"],"decision":"interval 1: seq 1"}
  trace: {"fn":"hmm_range_fault","path":["hmm_range_fault"],"decision":"[0x7ffff7fbc000, 0x7ffff7fbd000) interval 1, seq 1, default_flags HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE"}
  trace: {"fn":"hmm_vma_walk_test","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_test"],"decision":"walked from 0x7ffff7fbc000","vma":"vma 7ffff7fbc000-7ffff7fbe000 rw-p (rd wr mr mw me ac)"}
  trace: {"fn":"hmm_vma_fault","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_pmd","hmm_vma_fault"],"decision":"write faults over [0x7ffff7fbc000, 0x7ffff7fbd000): handle_mm_fault(FAULT_FLAG_REMOTE|FAULT_FLAG_WRITE)","vma":"vma 7ffff7fbc000-7ffff7fbe000 rw-p (rd wr mr mw me ac)"}
  trace: {"fn":"handle_pte_fault","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_pmd","hmm_vma_fault","handle_mm_fault","handle_pte_fault"],"decision":"write, pte none","vma":"vma 7ffff7fbc000-7ffff7fbe000 rw-p (rd wr mr mw me ac)"}
  trace: {"fn":"set_pte_at","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_pmd","hmm_vma_fault","handle_mm_fault","handle_pte_fault","do_pte_missing","do_anonymous_page","set_pte_at"],"decision":"write: new zeroed page pfn 0x1000, writable and dirty"}
  trace: {"fn":"hmm_vma_fault","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_pmd","hmm_vma_fault"],"decision":"faults done: -EBUSY, the walk restarts at 0x7ffff7fbc000"}
  trace: {"fn":"hmm_vma_walk_test","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_test"],"decision":"walked from 0x7ffff7fbc000","vma":"vma 7ffff7fbc000-7ffff7fbe000 rw-p (rd wr mr mw me ac)"}
  trace: {"fn":"hmm_vma_handle_pte","path":["hmm_range_fault","walk_page_range","hmm_vma_walk_pmd","hmm_vma_handle_pte"],"decision":"[0x7ffff7fbc000, 0x7ffff7fbd000): 1 HMM_PFN_VALID (1 HMM_PFN_WRITE), 0 HMM_PFN_ERROR, 0 empty"}
  trace: {"fn":"hmm_range_fault","path":["hmm_range_fault"],"decision":"returns 0"}
  trace: {"fn":"mmu_interval_read_retry","path":["mmu_interval_read_retry"],"decision":"interval 1: seq 1 unchanged: the result may be used"}
  trace: {"fn":"dmirror_do_fault","path":["dmirror_do_fault"],"decision":"the VALID slots of [0x7ffff7fbc000, 0x7ffff7fbd000) programmed under the driver lock"}
  mmu_interval_read_begin() = 1
  hmm_range_fault({start=0x7ffff7fbc000, end=0x7ffff7fbd000, default_flags=HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE, notifier_seq=1}) = 0
  ADDRESS          PFN          FLAGS
  0x7ffff7fbc000   0x1000       HMM_PFN_VALID|HMM_PFN_WRITE
  = 0
  [1] mm> trace off
