/**
 * /proc/vmstat (mm/vmstat.c vmstat_start / vmstat_text): one `name value`
 * line per counter, zone counters first, then node counters, in the
 * kernel's enum order. mmlab prints the counters it models: the page
 * counts meminfo also derives (in pages, not kB) and the FOLL_PIN
 * counters mm/gup.c moves (nr_foll_pin_acquired / nr_foll_pin_released,
 * 5.7+: their difference is the pins held now).
 * @module
 */

import type { Machine } from "../machine.ts";
import { meminfo } from "./meminfo.ts";

/** One /proc/vmstat line. */
export interface VmstatEntry {
  /** The counter name (vmstat_text). */
  name: string;
  /** The counter value. */
  value: number;
}

/** The counters, in /proc/vmstat's order (zone_stat_item, then node_stat_item). */
export function vmstat(m: Machine): VmstatEntry[] {
  const mi = meminfo(m);
  const pages = (kb: number) => kb / 4;
  return [
    { name: "nr_free_pages", value: pages(mi.MemFree) },
    { name: "nr_anon_pages", value: pages(mi.AnonPages) },
    { name: "nr_mapped", value: pages(mi.Mapped) },
    // NR_FILE_PAGES counts shmem too (meminfo's Cached is it minus swap cache and buffers).
    { name: "nr_file_pages", value: pages(mi.Cached) },
    { name: "nr_shmem", value: pages(mi.Shmem) },
    { name: "nr_foll_pin_acquired", value: m.vmstat.follPinAcquired },
    { name: "nr_foll_pin_released", value: m.vmstat.follPinReleased },
  ];
}

/** The lines as /proc/vmstat prints them: `nr_foll_pin_acquired 2`. */
export function renderVmstat(entries: readonly VmstatEntry[]): string[] {
  return entries.map((e) => `${e.name} ${e.value}`);
}
