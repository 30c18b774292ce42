import zlib from 'node:zlib';
import { DataError } from '../errors.js';

export interface ZipEntry { name: string; method: number; compressedSize: number; size: number; localOffset: number }

const EOCD = 0x06054b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

/**
 * The entries of a zip archive, from its central directory (no zip64: workbooks are far below 4 GB).
 * @throws DataError when the file is not a zip archive
 */
export function listZip(buf: Buffer, label = 'XLSX'): ZipEntry[] {
  const from = Math.max(0, buf.length - 65_557);
  let eocd = -1;
  for (let i = buf.length - 22; i >= from; i--) if (buf.readUInt32LE(i) === EOCD) { eocd = i; break; }
  if (eocd < 0) throw new DataError('UNPROCESSABLE_DATASET', `The file is named .${label.toLowerCase()} but is not a zip archive, as ${label} workbooks are.`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new DataError('UNPROCESSABLE_DATASET', `The ${label} archive is damaged (its directory is cut short).`);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen), method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24), localOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * Inflated bytes all the parts read from one archive may add up to: the per-part cap alone lets a
 * workbook of many large parts fill memory.
 */
export class InflateBudget {
  private used = 0;
  constructor(readonly maxBytes: number, readonly label = 'XLSX') {}

  /** Bytes still allowed. */
  get left(): number { return this.maxBytes - this.used; }

  /**
   * Counts `bytes` against the budget.
   * @throws DataError naming the limit when the parts add up to more than it
   */
  spend(bytes: number): void {
    this.used += bytes;
    if (this.used > this.maxBytes) {
      throw new DataError('UNPROCESSABLE_DATASET',
        `The ${this.label} file expands to more than ${mb(this.maxBytes)} MB across its parts, the limit for a workbook; it may be a zip bomb. Save the sheet as CSV instead.`,
        { limit: 'xlsx_inflated_bytes', max: this.maxBytes });
    }
  }
}

/**
 * Inflates one entry, refusing to produce more than `maxBytes` whatever the archive claims: a zip bomb
 * stops at the limit instead of filling memory. With a `budget`, the entry also counts against the total.
 */
export function readZipEntry(buf: Buffer, e: ZipEntry, maxBytes: number, budget?: InflateBudget, label = budget?.label ?? 'XLSX'): Buffer {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) throw new DataError('UNPROCESSABLE_DATASET', `The ${label} archive is damaged (entry ${e.name}).`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  const tooBig = () => new DataError('UNPROCESSABLE_DATASET',
    `The ${label} file expands to more than ${mb(maxBytes)} MB (${e.name}); it may be a zip bomb. Save the sheet as CSV instead.`);
  if (e.size > maxBytes) throw tooBig();
  // An archive that admits its size is refused before inflating anything.
  if (budget && e.size > budget.left) budget.spend(e.size);
  let out: Buffer;
  if (e.method === 0) out = data;
  else if (e.method !== 8) throw new DataError('UNPROCESSABLE_DATASET', `The ${label} archive uses an unsupported compression method (${e.method}).`);
  else {
    try {
      out = zlib.inflateRawSync(data, { maxOutputLength: maxBytes });
    } catch (err) {
      if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig();
      throw new DataError('UNPROCESSABLE_DATASET', `The ${label} archive is damaged (${e.name} does not inflate).`);
    }
  }
  budget?.spend(out.length);
  return out;
}
