/** /proc/meminfo — stub, being written by a helper. */
import type { Machine } from "../machine.ts";
export function meminfoLines(_m: Machine): string[] {
  return [];
}
