/**
 * struct files_struct (include/linux/fdtable.h): a process's fd table and
 * its close-on-exec set. Threads share their group's; clone(CLONE_FILES)
 * shares it between processes too, so a close in one is a close in all,
 * while fork() gives the child a copy (dup_fd()) whose open files each
 * gain a reference.
 * @module
 */

import type { OpenFile } from "../fs/file.ts";

/** struct files_struct: a fd table that one or more processes share. */
export class FilesStruct {
  /** fd table: index = fd. */
  readonly fds: (OpenFile | undefined)[] = [];
  /** close_on_exec: fds marked FD_CLOEXEC (O_CLOEXEC, FIOCLEX). */
  readonly closeOnExec: Set<number> = new Set();
  /** files_struct.count: the processes sharing the table (CLONE_FILES). */
  users = 1;
}

/**
 * dup_fd(): a new table with the same open files (each gains a reference,
 * as get_file() does) and the same close-on-exec bits.
 */
export function dupFd(old: FilesStruct): FilesStruct {
  const files = new FilesStruct();
  for (let fd = 0; fd < old.fds.length; fd++) {
    const f = old.fds[fd];
    if (f !== undefined) {
      f.refs++;
      files.fds[fd] = f;
    }
  }
  for (const fd of old.closeOnExec) files.closeOnExec.add(fd);
  return files;
}
