/** /proc/PID/smaps — stub, being written by a helper. */
import type { Process } from "./process.ts";
export function smapsLines(_p: Process): string[] {
  return [];
}
