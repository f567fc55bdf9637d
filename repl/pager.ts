/**
 * Long output through a pager, as git and man do: on a terminal only,
 * never when NO_COLOR or CI is set, `$PAGER` if set (empty: no pager),
 * else `less -FRX` (quit at once if it fits, keep colours, leave the text
 * on the screen). A pager that cannot start leaves the output to be
 * printed as usual.
 * @module
 */

/** Shows lines; resolves to whether a pager showed them. */
export type Pager = (lines: readonly string[]) => Promise<boolean>;

/** The pager's argv for this environment, or null for none. */
export function pagerArgv(env: (name: string) => string | undefined): string[] | null {
  try {
    if (env("NO_COLOR") !== undefined || env("CI") !== undefined) return null;
    const p = env("PAGER");
    if (p !== undefined) return p.trim() === "" ? null : ["sh", "-c", p];
  } catch {
    // No permission to read the environment: the default.
  }
  return ["less", "-FRX"];
}

/** A pager that runs `argv` with the lines on its stdin and the terminal as its stdout. */
export function commandPager(argv: readonly string[]): Pager {
  return async (lines) => {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        stdin: "piped",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
    } catch {
      return false;
    }
    const w = child.stdin.getWriter();
    try {
      await w.write(new TextEncoder().encode(lines.join("\n") + "\n"));
      await w.close();
    } catch {
      // The user quit the pager before reading everything.
    }
    await child.status;
    return true;
  };
}
