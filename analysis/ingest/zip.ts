import zlib from 'node:zlib';
import { DataError } from '../errors.js';

export interface ZipEntry { name: string; method: number; compressedSize: number; size: number; localOffset: number }

const EOCD = 0x06054b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

/**
 * The entries of a zip archive, from its central directory (no zip64: workbooks are far below 4 GB).
 * @throws DataError when the file is not a zip archive
 */
export function listZip(buf: Buffer): ZipEntry[] {
  const from = Math.max(0, buf.length - 65_557);
  let eocd = -1;
  for (let i = buf.length - 22; i >= from; i--) if (buf.readUInt32LE(i) === EOCD) { eocd = i; break; }
  if (eocd < 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file is named .xlsx but is not a zip archive, as XLSX workbooks are.');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new DataError('UNPROCESSABLE_DATASET', 'The XLSX archive is damaged (its directory is cut short).');
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen), method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24), localOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Inflates one entry, refusing to produce more than `maxBytes` whatever the archive claims: a zip bomb
 * stops at the limit instead of filling memory.
 */
export function readZipEntry(buf: Buffer, e: ZipEntry, maxBytes: number): Buffer {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) throw new DataError('UNPROCESSABLE_DATASET', `The XLSX archive is damaged (entry ${e.name}).`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  const tooBig = () => new DataError('UNPROCESSABLE_DATASET',
    `The XLSX file expands to more than ${Math.round(maxBytes / 1048576)} MB (${e.name}); it may be a zip bomb. Save the sheet as CSV instead.`);
  if (e.size > maxBytes) throw tooBig();
  if (e.method === 0) return data;
  if (e.method !== 8) throw new DataError('UNPROCESSABLE_DATASET', `The XLSX archive uses an unsupported compression method (${e.method}).`);
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig();
    throw new DataError('UNPROCESSABLE_DATASET', `The XLSX archive is damaged (${e.name} does not inflate).`);
  }
}
