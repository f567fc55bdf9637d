/**
 * The machine's settings as text: one parser for the command line's
 * `--seed --ram --preset --policy` and a transcript header's `# seed:`,
 * `# ram:`, `# preset:` and `# policy:` lines, so both accept exactly the
 * same values and refuse the rest with the same words.
 *
 * ```
 * seed     a whole number from 0 to 4294967295 (the generator's 32 bits)
 * ram      a size: digits or 0x-hex, optionally K, M, G or T (2^10 ...);
 *          whole 4 KiB pages from 1M to 64G (lib/machine.ts MAX_RAM)
 * preset   an era linux-X.Y from 2.6 to 6.18, or a listed RFC preset
 * policy   knob=value with a listed knob and one of its values
 * ```
 * @module
 */

import { checkKnob, checkPreset, checkRam, MAX_RAM, MIN_RAM, presetNames } from "../mod.ts";

/** A setting that cannot be used; the message says why and what would do. */
export class SettingError extends Error {}

const MAX_SEED = 2 ** 32 - 1;

/** A seed: a whole number from 0 to 2^32 - 1. */
export function parseSeedText(text: string): number {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) > MAX_SEED) {
    throw new SettingError(`seed must be a whole number from 0 to ${MAX_SEED}, not "${clip(t)}"`);
  }
  return Number(t);
}

/** A RAM size such as 512M or 1G, in bytes, within the machine's limits. */
export function parseRamText(text: string): number {
  const t = text.trim();
  if (/^(0[xX]0*[0-9a-fA-F]{17,}|0*\d{21,})[KMGT]?$/.test(t)) {
    throw new SettingError(`ram of ${clip(t)} is above the maximum of 64G`);
  }
  const m = /^(0[xX]0*[0-9a-fA-F]{1,16}|0*\d{1,20})([KMGT]?)$/.exec(t);
  if (!m) throw new SettingError(`ram must be a size like 512M or 1G, not "${clip(t)}"`);
  const shift = { "": 0n, K: 10n, M: 20n, G: 30n, T: 40n }[m[2] as "" | "K" | "M" | "G" | "T"];
  const bytes = BigInt(m[1]) << shift;
  if (bytes > BigInt(MAX_RAM)) throw new SettingError(`ram of ${t} is above the maximum of 64G`);
  if (bytes < BigInt(MIN_RAM)) throw new SettingError(`ram of ${t} is below the minimum of 1M`);
  if (checkRam(Number(bytes)) !== null) {
    throw new SettingError(`ram of ${t} is not a whole number of 4 KiB pages`);
  }
  return Number(bytes);
}

/** A preset name that builds a machine. */
export function parsePresetText(text: string): string {
  const t = text.trim();
  const err = checkPreset(t);
  if (err !== null) {
    throw new SettingError(
      `${clip(err)}; presets: ${presetNames().join(", ")} (or any linux-X.Y from 2.6 to 6.18)`,
    );
  }
  return t;
}

/** One `knob=value` assignment, checked against the knob's values. */
export function parsePolicyText(text: string): [string, string] {
  const t = text.trim();
  const m = /^([^=\s]+)=(\S+)$/.exec(t);
  if (!m) throw new SettingError(`a policy is written knob=value, not "${clip(t)}"`);
  const err = checkKnob(m[1], m[2]);
  if (err !== null) throw new SettingError(clip(err));
  return [m[1], m[2]];
}

/** Long user text is shown by its start only. */
function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
