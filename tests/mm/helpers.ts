/** Shared helpers for the mm tests. */
import type { Process } from "../../mod.ts";
import { mapsLines } from "../../mod.ts";
import { vmFlagsText } from "../../lib/mm/vm_flags.ts";

/** maps lines inside the test window 0x7f0000000000.. */
export function windowMaps(p: Process): string[] {
  return mapsLines(p).filter((l) => l.startsWith("7f00"));
}

/** The VmFlags text of the VMA containing addr. */
export function smapsVmFlags(p: Process, addr: number): string {
  const v = p.mm.vmas.lookup(addr);
  if (v === null) throw new Error(`no VMA at ${addr.toString(16)}`);
  return vmFlagsText(v.flags);
}
