// A minimal XLSX writer for tests: real OOXML parts in a real zip (deflated, CRC-32), enough for Excel's
// own structure — shared strings, inline strings, booleans, numbers and a date style.
import zlib from 'node:zlib';

export type Cell = string | number | boolean | null | { date: number } | { inline: string };

export interface Entry { packed: Buffer; size: number; crc: number }
/** One deflated zip part, to hand `makeXlsx` in place of a generated one. */
export const entry = (data: Buffer): Entry => ({ packed: zlib.deflateRawSync(data), size: data.length, crc: zlib.crc32(data) });

function zip(files: Record<string, Entry>): Buffer {
  const locals: Buffer[] = [], centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, { packed, size, crc }] of Object.entries(files)) {
    const n = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(size, 24);
    central.writeUInt16LE(n.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    centrals.push(central, n);
    offset += 30 + n.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(centrals.length / 2, 8); end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const col = (i: number) => { let s = ''; for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s; return s; };

/** An XLSX workbook with one sheet per entry; dates are Excel serial days drawn with a date style. */
export function makeXlsx(sheets: Record<string, Cell[][]>, replace: Record<string, Entry> = {}): Buffer {
  const strings: string[] = [];
  const sid = (s: string) => { let i = strings.indexOf(s); if (i < 0) { i = strings.length; strings.push(s); } return i; };
  const names = Object.keys(sheets);
  const parts: Record<string, Buffer> = {};
  names.forEach((name, k) => {
    const rows = sheets[name].map((row, r) => `<row r="${r + 1}">${row.map((v, c) => {
      const ref = `${col(c)}${r + 1}`;
      if (v === null) return '';
      if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
      if (typeof v === 'boolean') return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
      if (typeof v === 'string') return `<c r="${ref}" t="s"><v>${sid(v)}</v></c>`;
      if ('date' in v) return `<c r="${ref}" s="1"><v>${v.date}</v></c>`;
      return `<c r="${ref}" t="inlineStr"><is><t>${esc(v.inline)}</t></is></c>`;
    }).join('')}</row>`).join('');
    parts[`xl/worksheets/sheet${k + 1}.xml`] = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`);
  });
  parts['[Content_Types].xml'] = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>');
  parts['xl/workbook.xml'] = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${names.map((n, k) => `<sheet name="${esc(n)}" sheetId="${k + 1}" r:id="rId${k + 1}"/>`).join('')}</sheets></workbook>`);
  parts['xl/_rels/workbook.xml.rels'] = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${names.map((_, k) => `<Relationship Id="rId${k + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${k + 1}.xml"/>`).join('')}</Relationships>`);
  parts['xl/sharedStrings.xml'] = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`);
  parts['xl/styles.xml'] = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>');
  const entries = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, replace[k] ?? entry(v)]));
  return zip(entries);
}

/**
 * A workbook whose sheet inflates to `bytes` of zeros from a few hundred KB: a zip bomb. With `lie`, the
 * archive claims the sheet is 1 KB, so only a cap on inflation itself can stop it.
 */
export function makeZipBomb(bytes: number, lie: boolean): Buffer {
  const zeros = Buffer.alloc(bytes);
  const bomb: Entry = { packed: zlib.deflateRawSync(zeros, { level: 9 }), size: lie ? 1024 : bytes, crc: 0 };
  return makeXlsx({ Sheet1: [['a'], [1]] }, { 'xl/worksheets/sheet1.xml': bomb });
}

/** A one-sheet workbook whose sheet part is exactly `xml` (deflated), for sheets no well-behaved writer makes. */
export function makeXlsxWithSheetXml(xml: string | Buffer): Buffer {
  return makeXlsx({ Sheet1: [['a'], [1]] }, { 'xl/worksheets/sheet1.xml': entry(Buffer.from(xml)) });
}
