/**
 * Why a file operation failed, in a few words for a one-line error: the
 * kind of failure without the OS error number or the call that failed
 * ("Is a directory (os error 21): open '/tmp'" reads "it is a directory").
 * @module
 */

/** The reason a file could not be opened, read or made. */
export function fileErrorText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.NotADirectory) return "a path component is not a directory";
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (e instanceof Deno.errors.AlreadyExists) return "it exists and is not a directory";
  if (!(e instanceof Error)) return String(e);
  // "Is a directory (os error 21): open '/tmp'" -> "is a directory"
  const m = /^(.*?) \(os error \d+\)/.exec(e.message);
  return (m ? m[1] : e.message.replace(/:.*$/, "")).replace(
    /^[A-Z](?=[a-z])/,
    (c) => c.toLowerCase(),
  );
}
