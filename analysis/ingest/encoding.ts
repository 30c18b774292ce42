import fs from 'node:fs';
import { DataError } from '../errors.js';

export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Whether `bytes` is UTF-8, allowing a multi-byte character cut off at the end of the sample. */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Detects a text file's encoding from its first bytes: a byte-order mark, the NUL pattern of BOM-less
 * UTF-16, valid UTF-8, or else Windows-1252 (a superset of Latin-1 for printable text).
 * @throws DataError when NUL bytes show binary content rather than text
 */
export function detectEncoding(head: Uint8Array): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  const sample = head.subarray(0, 4096 - (head.length % 2));
  let evenNul = 0, oddNul = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) { if (i % 2) oddNul++; else evenNul++; }
  const pairs = sample.length / 2;
  // ASCII text in UTF-16 has a NUL in (nearly) every other byte, on one side only.
  if (pairs >= 2 && oddNul > pairs * 0.6 && evenNul === 0) return 'utf-16le';
  if (pairs >= 2 && evenNul > pairs * 0.6 && oddNul === 0) return 'utf-16be';
  if (evenNul + oddNul > 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file is binary, not text: it contains NUL bytes.');
  return isUtf8(head) ? 'utf-8' : 'windows-1252';
}

// Windows-1252's 0x80–0x9F (Node's TextDecoder treats the label as ISO-8859-1 and returns C1 controls there).
const CP1252_HIGH = [0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178];
const CP1252 = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : b));

/** Decodes Windows-1252 bytes (every byte is one character, so chunks decode independently). */
export function decodeWindows1252(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...Array.from(bytes.subarray(i, i + 8192), (b) => CP1252[b].charCodeAt(0)));
  return s;
}

/** Decodes a whole buffer in the given encoding (byte-order mark removed). */
export function decodeText(bytes: Uint8Array, encoding: Encoding): string {
  return encoding === 'windows-1252' ? decodeWindows1252(bytes) : new TextDecoder(encoding).decode(bytes);
}

/**
 * Rewrites a text file as UTF-8 (without a byte-order mark), streaming so large files stay out of memory.
 * @example await transcodeToUtf8('/tmp/latin1.csv', 'windows-1252', '/tmp/utf8.csv');
 */
export async function transcodeToUtf8(input: string, from: Encoding, output: string): Promise<void> {
  const text = new TextDecoder(from === 'windows-1252' ? 'utf-8' : from);
  const decode = (b?: Uint8Array): string => (from === 'windows-1252' ? (b ? decodeWindows1252(b) : '') : b ? text.decode(b, { stream: true }) : text.decode());
  const out = fs.createWriteStream(output);
  const write = (s: string) => new Promise<void>((resolve, reject) => { if (out.write(s)) resolve(); else out.once('drain', resolve).once('error', reject); });
  for await (const chunk of fs.createReadStream(input, { highWaterMark: 1 << 20 })) await write(decode(chunk as Buffer));
  await write(decode());
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
