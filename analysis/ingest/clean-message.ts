import os from 'node:os';

const TMP = os.tmpdir();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// An absolute path (POSIX or Windows), quoted or bare, starting a token: 'km/h', '1/2' and 'xl/worksheets/sheet1.xml' stay.
const PATH = /(?<![\w.\/\\])(["'`]?)(?:[A-Za-z]:\\|\\\\|\/)[^\s"'`/\\]+(?:[/\\][^\s"'`/\\]*)+\1/g;
const INTERNALS = /\b(?:[A-Z][a-z]+ )*(?:Binder|Catalog|Parser|Conversion|Invalid Input|IO|Internal|Out of Memory|INTERRUPT|Not implemented|Transaction|Serialization) Error:\s*/g;

/**
 * The last line of defence for text that reaches an error body: drops server paths, quoted SQL
 * (`LINE 1: …` and what follows) and DuckDB's error-class prefixes. Messages should be clean at their
 * source; this only catches what slipped through.
 * @example cleanMessage("Invalid Input Error: cannot open '/tmp/x/upload.csv'") // 'cannot open the file'
 */
export function cleanMessage(text: string): string {
  return text
    .replace(/\s*\bLINE \d+:[\s\S]*$/, '')
    .replace(PATH, 'the file')
    .replace(new RegExp(escapeRe(TMP), 'g'), 'the file')
    .replace(INTERNALS, '')
    .replace(/\bDuckDB\b/gi, 'the reader')
    .replace(/\b(?:SELECT|COPY|FROM)\b[^.;]*\b(?:read_csv|read_json(?:_auto)?|read_parquet|sniff_csv)\s*\([^)]*\)?/gi, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
