import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { processTempDir, sweepDeadTempDirs } from '../../storage/temp-dir.js';

test("a killed process's scratch folder is swept at the next start; live ones are kept", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-tmp-root-'));
  // A pid that existed and is gone: a child that has exited.
  const deadPid = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
  fs.mkdirSync(path.join(root, `${deadPid}-dead`), { recursive: true });
  fs.writeFileSync(path.join(root, `${deadPid}-dead`, 'upload.csv'), 'a,b\n');
  fs.mkdirSync(path.join(root, `${process.ppid}-alive`));
  fs.mkdirSync(path.join(root, 'not-ours'));
  try {
    expect(sweepDeadTempDirs(root)).toEqual([`${deadPid}-dead`]);
    expect(fs.readdirSync(root).sort()).toEqual([`${process.ppid}-alive`, 'not-ours'].sort());
    const mine = processTempDir(root);
    expect(path.basename(mine)).toMatch(new RegExp(`^${process.pid}-`));
    expect(fs.statSync(mine).mode & 0o077).toBe(0);
    expect(processTempDir(root)).toBe(mine); // one per process
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
