/**
 * The OOM killer: when the page allocator cannot find a page for a user
 * allocation even after reclaim, it calls out_of_memory() itself
 * (mm/page_alloc.c __alloc_pages_may_oom), which picks the process whose
 * death frees the most memory and kills it with SIGKILL. Compare Linux's
 * mm/oom_kill.c: oom_badness(), select_bad_process(), oom_kill_process().
 *
 * mmlab runs it where a user page is allocated on the caller's behalf:
 * mm_populate() (MAP_POPULATE, MAP_LOCKED, mlocked brk and mremap growth;
 * lib/mm/populate.ts), where without it a populate that runs out of memory
 * would leave the caller holding every frame since __mm_populate() ignores
 * fault errors, and the CPU's faults (lib/arch/cpu.ts), which are retried
 * while the victim is another process.
 *
 * Not modelled: oom_score_adj (always 0), memory cgroups, the OOM reaper's
 * delay (the victim's memory is freed at once, as exit_mmap() does), and
 * init's immunity (mmlab's pid 1 is the user's program, not an init).
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Process } from "./process.ts";
import { oomKill } from "./exit.ts";
import { mmRssPages, pgtablesBytes } from "./stats.ts";

/**
 * oom_badness(): the pages the process's death would free: its RSS, its
 * swap entries (none in mmlab) and its page tables, in pages. -1 for a
 * process that cannot be chosen (dead, or an mm with no user left).
 */
export function oomBadness(p: Process): number {
  if (!p.alive) return -1;
  return mmRssPages(p.mm) + pgtablesBytes(p.mm) / 4096;
}

/**
 * select_bad_process(): the live process with the highest badness. The
 * kernel walks the task list in creation order and a later task with the
 * same points replaces the chosen one (oom_evaluate_task: only `points <
 * chosen_points` is skipped), so on a tie the newest process is chosen.
 */
export function selectBadProcess(m: Machine): Process | null {
  let chosen: Process | null = null;
  let chosenPoints = -1;
  const procs = [...m.procs.values()].sort((a, b) => a.pid - b.pid);
  for (const p of procs) {
    const points = oomBadness(p);
    if (points < 0 || points < chosenPoints) continue;
    chosen = p;
    chosenPoints = points;
  }
  return chosen;
}

/**
 * out_of_memory(): kills the chosen process (dmesg's "Out of memory:
 * Killed process ..." line, SIGKILL, its memory freed) and returns it, or
 * null when no process can be killed.
 */
export function outOfMemory(m: Machine): Process | null {
  const victim = selectBadProcess(m);
  m.trace?.step(
    "out_of_memory → select_bad_process",
    victim === null
      ? "no process to kill"
      : `kills ${victim.comm}:${victim.pid} (badness ${oomBadness(victim)}): oom_kill_process`,
  );
  if (victim !== null) oomKill(victim);
  return victim;
}
