/** /proc/PID/status — stub, being written by a helper. */
import type { Process } from "./process.ts";
export function statusLines(_p: Process): string[] {
  return [];
}
