import fs from 'node:fs';
import { sniffDelimiter } from './formats.js';
import { splitCsvLine } from './header.js';

/**
 * Splits delimited text into records, honouring quotes that span lines, and reports each record's text
 * (line ending removed) and field count. Fed in chunks, so a file of any size streams through it.
 */
export class RecordSplitter {
  private quoted = false;
  /** At the start of a field, where a quote opens a quoted field (elsewhere it is a plain character, as in `5" screen`). */
  private fieldStart = true;
  /** Just after a closing quote, where another quote is an escaped one (`""`) and reopens the field. */
  private closed = false;
  private fields = 1;
  private carry = '';
  private readonly delim: number;

  constructor(delim: string, private readonly onRecord: (text: string, fields: number) => void) {
    this.delim = delim.charCodeAt(0);
  }

  push(chunk: string): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (this.quoted) {
        if (ch === 34) { this.quoted = false; this.closed = true; }
        continue;
      }
      if (ch === 34) { // '"'
        if (this.fieldStart || this.closed) this.quoted = true;
        this.fieldStart = this.closed = false;
        continue;
      }
      this.closed = false;
      this.fieldStart = ch === this.delim || ch === 10;
      if (ch === this.delim) this.fields++;
      else if (ch === 10) {
        this.emit(this.carry + chunk.slice(start, i));
        this.carry = '';
        start = i + 1;
      }
    }
    this.carry += chunk.slice(start);
  }

  end(): void {
    if (this.carry) this.emit(this.carry);
    this.carry = '';
  }

  private emit(text: string): void {
    this.onRecord(text.endsWith('\r') ? text.slice(0, -1) : text, this.fields);
    this.fields = 1;
  }
}

/** What the head of a delimited file says about its layout. */
export interface Layout {
  delimiter: string | undefined;
  /** Physical lines before the header: comments, title lines, blanks. */
  skip: number;
  /** The header line (the first line of the table, whether names or data). */
  headerLine: string;
  headerFields: number;
  /** Title or note lines (not comments, not blank) above the header, as written. */
  preamble: string[];
  /** Comment lines (`#` first) above the header. */
  leadingComments: number;
  /** True when a comment line, or a row whose field count differs from the header's, follows the header in the head. */
  messy: boolean;
}

const isComment = (text: string, fields: number, headerFields: number) => text.startsWith('#') && fields < Math.max(2, headerFields);
const MAX_PREAMBLE = 20;

/**
 * Reads the layout from the first part of a UTF-8 delimited file: the delimiter (most lines' vote), the header
 * (the first line with two fields or more; single-field title lines, `#` comments and blanks above it are
 * skipped), and whether the rows below it need repair (comments, ragged rows).
 * @param head the file's first bytes as text; a last line cut short is ignored
 * @param delimiter the delimiter when the format fixes it (TSV)
 */
export function readLayout(head: string, delimiter?: string): Layout {
  const text = head.replace(/^\uFEFF/, '');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1) lines.pop(); // the last piece may be cut short (or is the empty tail after the final newline)
  const real = (x: string) => x.trim() !== '' && !x.startsWith('#');
  const firstReal = lines.find(real) ?? lines[0] ?? '';
  let delim = delimiter ?? sniffDelimiter(firstReal);
  if (!delim) {
    // A first line without a delimiter is either a title above a table or the name of a one-column file. A title
    // when the lines vote for a delimiter and, from the first line with two fields or more, most lines have two or more.
    const votes = new Map<string, number>();
    for (const l of lines.filter(real).slice(0, 50)) {
      const d = sniffDelimiter(l);
      if (d) votes.set(d, (votes.get(d) ?? 0) + 1);
    }
    const d = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const start = d ? lines.findIndex((l) => real(l) && splitCsvLine(l, d).length >= 2) : -1;
    const below = start > 0 && start < MAX_PREAMBLE ? lines.slice(start + 1).filter(real).slice(0, 50) : [];
    if (below.length && below.filter((l) => splitCsvLine(l, d!).length >= 2).length >= 0.8 * below.length) delim = d;
  }
  const fieldsOf = (l: string) => (delim ? splitCsvLine(l, delim).length : 1);

  let h = 0;
  const preamble: string[] = [];
  let leadingComments = 0;
  if (delim) {
    for (; h < lines.length && h < MAX_PREAMBLE; h++) {
      const l = lines[h];
      if (!l.trim()) continue;
      const n = fieldsOf(l);
      if (l.startsWith('#') && n < 2) leadingComments++;
      else if (n < 2) preamble.push(l);
      else break;
    }
    if (h >= lines.length || h >= MAX_PREAMBLE) { h = 0; preamble.length = 0; leadingComments = 0; }
  }
  // One column and no delimiter: a first line starting with '#' may as well be its name, so nothing is skipped.
  const headerLine = lines[h] ?? '';
  const headerFields = fieldsOf(headerLine);
  let messy = false;
  if (delim) {
    const split = new RecordSplitter(delim, (t, n) => {
      if (t.trim() && (n !== headerFields || isComment(t, n, headerFields))) messy = true;
    });
    split.push(lines.slice(h + 1).join('\n'));
    split.end();
  }
  return { delimiter: delim, skip: h, headerLine, headerFields, preamble, leadingComments, messy };
}

/** What a repair pass changed. */
export interface Repair {
  /** Field count of the widest row (header included): the table's width after repair. */
  width: number;
  padded: number;
  widened: number;
  comments: number;
}

/**
 * Writes a rectangular copy of a delimited file: the lines above the header dropped, `#` comment lines and
 * blank lines dropped, short rows padded with empty fields and every row brought to the widest row's width
 * (so extra values land in extra columns instead of being lost). Two streaming passes; used only on files
 * whose rows disagree.
 */
export async function repairRows(file: string, out: string, delim: string, skip: number, headerFields: number, signal?: AbortSignal): Promise<Repair> {
  const stream = async (onRecord: (text: string, fields: number) => void) => {
    let line = 0;
    const split = new RecordSplitter(delim, (t, n) => {
      if (line++ >= skip) onRecord(t, n);
    });
    let first = true;
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      signal?.throwIfAborted(); // a parse past its deadline stops here, between chunks
      split.push(first ? (chunk as string).replace(/^\uFEFF/, '') : (chunk as string));
      first = false;
    }
    split.end();
  };
  // Lines above the header count one per physical line: the layout read them as plain lines.
  const keep = (t: string, n: number) => t.trim() !== '' && !isComment(t, n, headerFields);
  const r: Repair = { width: headerFields, padded: 0, widened: 0, comments: 0 };
  await stream((t, n) => {
    if (!keep(t, n)) { if (t.trim()) r.comments++; return; }
    r.width = Math.max(r.width, n);
  });
  let isHeader = true;
  const fd = fs.openSync(out, 'w');
  try {
    let buf: string[] = [], size = 0;
    await stream((t, n) => {
      if (!keep(t, n)) return;
      if (!isHeader) {
        if (n < headerFields) r.padded++;
        else if (n > headerFields) r.widened++;
      }
      isHeader = false;
      const line = n < r.width ? t + delim.repeat(r.width - n) : t;
      buf.push(line);
      size += line.length + 1;
      if (size > 1 << 20) { fs.writeSync(fd, buf.join('\n') + '\n'); buf = []; size = 0; }
    });
    if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return r;
}

/** The first `bytes` of a UTF-8 file as text (a character cut at the end only spoils the last line, which `readLayout` ignores). */
export function readHead(file: string, bytes = 1 << 16): string {
  const buf = Buffer.alloc(bytes);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    const text = buf.subarray(0, n).toString('utf8');
    return n < bytes && !text.endsWith('\n') ? `${text}\n` : text; // a whole file's last line is complete
  } finally {
    fs.closeSync(fd);
  }
}
