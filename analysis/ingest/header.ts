import fs from 'node:fs';
import { DataError } from '../errors.js';

/** The first line must end within this many bytes; longer means the file is not a table of text. */
export const MAX_HEADER_BYTES = 1 << 20;

/**
 * The first line of a UTF-8 text file (BOM removed).
 * @throws DataError when no line break comes within `MAX_HEADER_BYTES` of a longer file
 */
export function readFirstLine(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    if (end < 0 && n === MAX_HEADER_BYTES) {
      throw new DataError('UNPROCESSABLE_DATASET', `The first line is longer than ${MAX_HEADER_BYTES / 1048576} MB with no line break; a table needs one row per line.`);
    }
    return end < 0 ? text : text.slice(0, end);
  } finally {
    fs.closeSync(fd);
  }
}

/** Splits one line of delimited text into fields, honouring double quotes ("" inside quotes is a quote). */
export function splitCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Makes column names usable: blanks become `column_<n>` (1-based position), repeats get `_2`, `_3`…
 * @returns the names and one sentence per change, for the manifest
 * @example uniqueNames(['a', '', 'a']) // { names: ['a', 'column_2', 'a_2'], notes: [...] }
 */
export function uniqueNames(raw: string[]): { names: string[]; notes: string[] } {
  const seen = new Set<string>();
  const names: string[] = [];
  const blank: number[] = [], renamed: string[] = [];
  raw.forEach((r, i) => {
    let name = r.trim();
    if (!name) { name = `column_${i + 1}`; blank.push(i + 1); }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name}_${k}`)) k++;
      renamed.push(`'${name}' → '${name}_${k}'`);
      name = `${name}_${k}`;
    }
    seen.add(name);
    names.push(name);
  });
  const notes: string[] = [];
  if (blank.length) notes.push(`Column${blank.length > 1 ? 's' : ''} ${blank.join(', ')} had no name and ${blank.length > 1 ? 'are' : 'is'} called column_<position>.`);
  if (renamed.length) notes.push(`Repeated column names were made unique: ${renamed.join(', ')}.`);
  return { names, notes };
}
