import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(os.tmpdir(), 'assay');
let mine: string | undefined;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // someone else's live process
  }
};

/**
 * Removes the scratch folders of Assay processes that are gone (killed servers never clean up after
 * themselves). Folders are named `<pid>-<random>`; a live process's folder is left alone.
 * @returns the folders removed
 */
export function sweepDeadTempDirs(root = ROOT): string[] {
  const removed: string[] = [];
  for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * This process's scratch folder (uploads in flight, staged files), made on first use after sweeping away
 * dead processes' folders, and removed when the process exits normally.
 */
export function processTempDir(root = ROOT): string {
  if (mine) return mine;
  sweepDeadTempDirs(root);
  mine = path.join(root, `${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(mine, { recursive: true, mode: 0o700 });
  const dir = mine;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return mine;
}
