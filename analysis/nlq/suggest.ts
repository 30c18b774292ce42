import { findMentions } from './columns.js';
import { isDate, isNumeric, type NlqColumn } from './query.js';
import { RESERVED } from './vocabulary.js';
import { wordsOf } from './words.js';

/** A column's name as a question should write it: bare when the reader finds it from its words, else in quotes. */
function nameIn(c: NlqColumn, columns: NlqColumn[]): string {
  const words = wordsOf(c.name);
  const m = findMentions(words, columns, RESERVED);
  const bare = words.length > 0 && m.length === 1 && m[0].kind === 'column' && m[0].column === c.name && m[0].start === 0 && m[0].end === words.length;
  return bare ? c.name : `"${c.name}"`;
}

/**
 * Three questions the reader can answer about these columns, written with the dataset's real column names: an
 * aggregate per group, a trend or a top k, and a distribution or correlation.
 * @example suggestQuestions(cols) // ['average price by city', 'total price by month', 'distribution of price']
 */
export function suggestQuestions(columns: NlqColumn[]): string[] {
  const named = (c: NlqColumn) => ({ ...c, name: nameIn(c, columns) });
  const nums = columns.filter(isNumeric).slice(0, 2).map(named);
  const cats = columns.filter((c) => c.type === 'categorical' || c.type === 'boolean').slice(0, 1).map(named);
  const dates = columns.filter(isDate).slice(0, 1).map(named);
  const out: string[] = [];
  const [n1, n2] = nums;
  const cat = cats[0];
  if (n1 && cat) out.push(`average ${n1.name} by ${cat.name}`);
  else if (cat) out.push(`how many rows per ${cat.name}`);
  else if (n1) out.push(`average ${n1.name}`);
  if (n1 && dates[0]) out.push(`average ${n1.name} by month of ${dates[0].name}`);
  else if (dates[0]) out.push(`how many rows by month of ${dates[0].name}`);
  if (cat && n1) out.push(`top 5 ${cat.name} by total ${n1.name}`);
  if (n1 && n2) out.push(`correlation between ${n1.name} and ${n2.name}`);
  if (n1) out.push(`distribution of ${n1.name}`);
  if (cat) out.push(`share of rows by ${cat.name}`);
  out.push('how many rows are there');
  out.push('how many missing values per column');
  return [...new Set(out)].slice(0, 3);
}
