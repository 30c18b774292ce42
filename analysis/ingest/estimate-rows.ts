import fs from 'node:fs/promises';
import type { Format } from './formats.js';

/** Bytes of the file's start whose line breaks are counted. */
const HEAD_BYTES = 4 << 20;

/**
 * An estimate of a large file's rows from its size and the line length of its first 4 MB (text formats), for the
 * upload's answer before the full read has counted them. Other formats answer `atLeast` (the rows already read).
 */
export async function estimateRows(file: string, format: Format, size: number, atLeast: number): Promise<number> {
  if (!['csv', 'tsv', 'ndjson'].includes(format)) return atLeast;
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let lines = 0;
    for (let i = buf.indexOf(10); i >= 0 && i < bytesRead; i = buf.indexOf(10, i + 1)) lines++;
    if (lines === 0) return atLeast;
    const header = format === 'ndjson' ? 0 : 1;
    return Math.max(atLeast, Math.round((size / bytesRead) * lines) - header);
  } finally {
    await fh.close();
  }
}
