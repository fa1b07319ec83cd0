/**
 * Atomic file output: write to a temporary name in the same directory, then rename (a rename
 * within one file system is atomic on POSIX), so a reader or an interrupted run never sees a
 * half-written file.
 */
import { mkdirSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may not exist; the original error is what matters
    }
    throw err;
  }
}
