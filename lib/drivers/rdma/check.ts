/**
 * The RDMA driver's invariants, for lib/check/invariants.ts (`check`):
 *
 * 1. Every tracked mapping (ufile->umaps) is a live VMA of its mm whose
 *    vm_private_data is that priv and whose file is that ufile's; a file
 *    without a context tracks none (disassociation untracked them all).
 * 2. Every live MR/CQ/QP holds its pages: a FOLL_PIN page keeps a pin
 *    count; a destroyed object holds none.
 * 3. mm->pinned_vm of each live process is the pages of the live umems
 *    charged to it (ib_umem_get charges, ib_umem_release gives back).
 * @module
 */

import type { Machine } from "../../machine.ts";
import type { Mm } from "../../mm/mm.ts";
import { ufileOf } from "./uverbs_main.ts";

/** What is wrong, one line each (empty when all holds). */
export function checkRdma(m: Machine): string[] {
  const errs: string[] = [];
  const charged = new Map<Mm, number>();
  for (const dev of m.rdma.devices) {
    for (const f of dev.files) {
      const name = `uverbs${dev.devnum} file ${f.file.id}`;
      if (f.ucontext === null && f.umaps.size > 0) {
        errs.push(`${name}: no context but ${f.umaps.size} tracked mappings`);
      }
      for (const priv of f.umaps) {
        const v = priv.vma;
        const hex = v.start.toString(16);
        if (v.mm.vmas.lookup(v.start) !== v) errs.push(`${name}: tracked VMA ${hex} is not mapped`);
        if (v.priv !== priv) errs.push(`${name}: VMA ${hex} lost its rdma_umap_priv`);
        if (ufileOf(v.file) !== f) errs.push(`${name}: VMA ${hex} maps another file`);
      }
      for (const u of f.uobjects) {
        if (u.data.kind === "pd" || u.data.kind === "async_event") continue;
        const umem = u.data.umem;
        if (u.destroyed) {
          if (umem.pages.length > 0) errs.push(`${name}: destroyed ${u.kind} ${u.id} holds pages`);
          continue;
        }
        charged.set(umem.mm, (charged.get(umem.mm) ?? 0) + umem.pages.length);
        for (const pg of umem.pages) {
          if (pg.pinned && m.frames.pincount[pg.pfn] === 0) {
            errs.push(`${name}: ${u.kind} ${u.id} page pfn ${pg.pfn.toString(16)} is not pinned`);
          }
        }
      }
    }
  }
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    const want = charged.get(p.mm) ?? 0;
    if (p.mm.pinnedVm !== want) {
      errs.push(`pid ${p.pid}: pinned_vm ${p.mm.pinnedVm} but its umems hold ${want} pages`);
    }
  }
  return errs;
}
