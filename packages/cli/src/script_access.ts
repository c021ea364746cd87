import * as fs from 'fs';

/**
 * Why this process cannot read an existing script, or undefined if it can (or if there is no such
 * file: its caller or Node says so). Asked of the OS (access(2)), so that root, who reads a file
 * whatever its mode, is not told a readable file is unreadable.
 */
export function unreadableReason(file: string): string | undefined {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
  }
}
