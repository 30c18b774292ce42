import type { Filter, FilterOp, NlqColumn } from './query.js';
import { monthEnd, MONTHS, monthStart } from './months.js';
import { isDate } from './query.js';
import { slotOf, type Template } from './tokens.js';

const BE = '(?:is |are |was |were |be |of |has |have |had )?';
const OPS: [FilterOp, string][] = [
  ['!=', '(?:neq|not|isn\'t|isnt|aren\'t|arent|other than|not equal to|except|excluding|different from)'],
  ['>=', '(?:gte|at least|no less than|not less than|since|from|starting|on or after)'],
  ['>', '(?:gt|greater than|more than|over|above|higher than|larger than|bigger than|exceeds|exceeding|exceed|after|later than|newer than)'],
  ['<=', '(?:lte|at most|no more than|not more than|up to|until|through|no later than|on or before)'],
  ['<', '(?:lt|less than|fewer than|under|below|lower than|smaller than|before|earlier than|older than)'],
];
const MISSING = '(?:missing|null|empty|blank|unknown|nan|na)';
const PRESENT = '(?:not missing|not null|not empty|not blank|known|present|filled|filled in|given)';

/** What filter extraction leaves: the filters, and the template with their words taken out. */
export interface Filtered { filters: Filter[]; text: string }

/**
 * Reads the filters out of a question's template: comparisons (`C0 over N1`, `more than N1 C0`), ranges
 * (`between`), equality (`C0 is V1`, or a value alone: `V1`), exclusions (`not V1`), text search (`C0 contains
 * Q1`), missing values (`where C0 is missing`) and years of a date column (`in N1`, `before N1`). Values of one
 * column named together become an `in` filter (`japan or europe`).
 */
export function extractFilters(t: Template, columns: NlqColumn[]): Filtered {
  let s = ` ${t.text} `;
  const filters: Filter[] = [];
  const col = (tok: string) => columns.find((c) => c.name === (slotOf(t, tok) as { column?: string } | undefined)?.column);
  const valueOf = (tok: string): string | number => {
    const sl = slotOf(t, tok);
    if (!sl) return tok;
    return sl.kind === 'N' ? sl.value : sl.kind === 'V' || sl.kind === 'Q' ? sl.value : sl.words;
  };
  const take = (re: RegExp, f: (m: RegExpExecArray) => Filter | null) => {
    s = s.replace(re, (...args) => {
      const m = args.slice(0, -2) as unknown as RegExpExecArray;
      const filter = f(m);
      if (!filter) return m[0];
      filters.push(filter);
      return ' ; ';
    });
  };
  // A column right after "by"/"per" is a group, never a filter's subject.
  const lead = '(?<!\\b(?:by|per|each|every|across|over) )(?:where |with |whose |when |if |that |having |for |and )*';

  const dates = columns.filter(isDate);
  const year = (tok: string) => { const v = slotOf(t, tok); return v?.kind === 'N' && Number.isInteger(v.value) && v.value >= 1000 && v.value <= 2999; };
  const dateLike = (tok: string) => year(tok) || (slotOf(t, tok)?.kind === 'Q' && /^\d{4}-\d{2}/.test(String(valueOf(tok))));
  // Dates compare with the date column even when a number column stands before them ("revenue between 2024-03-01 and …").
  const subject = (tok: string, ...vals: string[]) => {
    const c = col(tok)!;
    if (!isDate(c) && vals.every((v) => slotOf(t, v)?.kind === 'Q' && dateLike(v)) && dates.length === 1) return null;
    return c;
  };
  // Month names on the one date column: "in march" (any year), "in march 2020", "between january and june".
  if (dates.length === 1) {
    const M = `(${[...MONTHS.keys()].join('|')})`;
    const yearOf = (tok: string | undefined) => (tok && year(tok) ? Number(valueOf(tok)) : undefined);
    const d = dates[0].name;
    take(new RegExp(` (?:between|from) ${M}(?: (N\\d+))? (?:and|to|through|till|until) ${M}(?: (N\\d+))? `, 'g'), (m) => {
      const [m1, m2] = [MONTHS.get(m[1])!, MONTHS.get(m[3])!];
      const y1 = yearOf(m[2]) ?? yearOf(m[4]), y2 = yearOf(m[4]) ?? yearOf(m[2]);
      if ((m[2] && !yearOf(m[2])) || (m[4] && !yearOf(m[4]))) return null;
      if (y1 === undefined || y2 === undefined) return { column: d, op: 'between', value: m1, value2: m2, part: 'month' };
      return { column: d, op: 'between', value: monthStart(y1, m1), value2: monthEnd(y2 < y1 || (y2 === y1 && m2 < m1) ? y1 + 1 : y2, m2) };
    });
    // "in march or april": either month, any year.
    take(new RegExp(` (?:in|during|for|of|on|throughout) ${M}((?: (?:or|and) ${M})+) (?!N\\d)`, 'g'), (m) => ({ column: d, op: 'in', values: [m[1], ...m[2].split(' ').filter((w) => MONTHS.has(w))].map((w) => MONTHS.get(w)!), part: 'month' }));
    take(new RegExp(` (?:(?:in|during|for|of|on|throughout) )?${M}(?: (N\\d+))? `, 'g'), (m) => {
      const month = MONTHS.get(m[1])!;
      const y = yearOf(m[2]);
      // A bare month word needs "in"/"during"… before it or a year after it: "may" alone is a verb as often as not.
      if (m[2] && y === undefined) return null;
      if (y === undefined && !/^ (in|during|for|of|on|throughout) /.test(m[0])) return null;
      return y === undefined ? { column: d, op: '=', value: month, part: 'month' } : { column: d, op: 'between', value: monthStart(y, month), value2: monthEnd(y, month) };
    });
  }
  take(new RegExp(` ${lead}(C\\d+) ${BE}(?:between|from) ([NQ]\\d+) (?:and|to) ([NQ]\\d+) `, 'g'), (m) => { const c = subject(m[1], m[2], m[3]); return c && { column: c.name, op: 'between', value: valueOf(m[2]), value2: valueOf(m[3]) }; });
  if (dates.length === 1) take(/ (?:between|from) ([NQ]\d+) (?:and|to) ([NQ]\d+) /g, (m) => (dateLike(m[1]) && dateLike(m[2]) ? { column: dates[0].name, op: 'between', value: valueOf(m[1]), value2: valueOf(m[2]) } : null));
  take(new RegExp(` ${lead}(C\\d+) ${BE}${MISSING} `, 'g'), (m) => ({ column: col(m[1])!.name, op: 'is_missing' }));
  take(new RegExp(` ${lead}(C\\d+) ${BE}${PRESENT} `, 'g'), (m) => ({ column: col(m[1])!.name, op: 'not_missing' }));
  take(new RegExp(` ${lead}(C\\d+) ${BE}(?:contains?|containing|includes?|including|mentions?|mentioning|like|matching|matches|with the word|has the word) ([VQ]\\d+|[\\p{L}\\p{N}]+) `, 'gu'),
    (m) => ({ column: col(m[1])!.name, op: 'contains', value: String(valueOf(m[2])) }));
  take(new RegExp(` ${lead}(C\\d+) ${BE}(true|false|yes|no) `, 'g'), (m) => (col(m[1])?.type === 'boolean' ? { column: col(m[1])!.name, op: '=', value: m[2] === 'true' || m[2] === 'yes' } : null));
  for (const [op, words] of OPS) {
    take(new RegExp(` ${lead}(C\\d+) ${BE}${words} (?:eq |equal to |than )?([VNQ]\\d+) `, 'g'), (m) => { const c = subject(m[1], m[2]); return c && { column: c.name, op, value: valueOf(m[2]) }; });
    // "with more than 6 cylinders": the number before the column.
    if (op !== '!=') take(new RegExp(` ${lead}${words} ([NQ]\\d+) (C\\d+) `, 'g'), (m) => ({ column: col(m[2])!.name, op, value: valueOf(m[1]) }));
  }
  take(new RegExp(` ${lead}(C\\d+) ((?:is |are |was |were |eq |equals |equal to |of |in |from )*)([VNQ]\\d+) `, 'g'), (m) => {
    const c = col(m[1])!;
    const v = slotOf(t, m[3])!;
    // A value of another column is not this column's ("weight of japanese cars" is not weight = 'Japan').
    if (v.kind === 'V' && v.column !== c.name) return null;
    if (v.kind === 'N') {
      // "weight in 10 bins" is not "weight = 10": a bare number needs "is"/"=" (or a date column's "in 1980").
      const copula = /(is|are|was|were|eq|equals|equal to) $/.test(m[2]) || (isDate(c) && /in $/.test(m[2]));
      if (!copula || !(c.type === 'integer' || c.type === 'float' || isDate(c) || c.type === 'categorical')) return null;
    }
    return { column: c.name, op: '=', value: valueOf(m[3]) };
  });
  // Yes/no columns: "were returned", "not returned".
  take(/ (?:not|never|weren't|wasn't|isn't|aren't) (?:been )?(C\d+) /g, (m) => (col(m[1])?.type === 'boolean' ? { column: col(m[1])!.name, op: '=', value: false } : null));
  take(/ (?:is|are|was|were|been|got|get|be) (C\d+) /g, (m) => (col(m[1])?.type === 'boolean' ? { column: col(m[1])!.name, op: '=', value: true } : null));
  // "with 8 cylinders", "of 4 cylinder cars"
  take(/ (?:with|having|has|have|of|for|among) (N\d+) (C\d+) /g, (m) => ({ column: col(m[2])!.name, op: '=', value: valueOf(m[1]) }));
  // Values named alone: their own column. "not Japan" excludes.
  take(/ (?:not|except|excluding|other than|besides|neq|outside) (?:the |of )?(V\d+) /g, (m) => ({ column: col(m[1])!.name, op: '!=', value: valueOf(m[1]) }));
  // "the north region", "region north": the value's own column named beside it goes with it.
  const own = (v: string, c: string) => col(v)?.name === col(c)?.name;
  take(/ (V\d+) (C\d+) /g, (m) => (own(m[1], m[2]) ? { column: col(m[1])!.name, op: '=', value: valueOf(m[1]) } : null));
  take(/ (C\d+) (V\d+) /g, (m) => (own(m[2], m[1]) ? { column: col(m[2])!.name, op: '=', value: valueOf(m[2]) } : null));
  take(/ (V\d+) /g, (m) => ({ column: col(m[1])!.name, op: '=', value: valueOf(m[1]) }));
  take(/ (V\d+) /g, (m) => ({ column: col(m[1])!.name, op: '=', value: valueOf(m[1]) })); // adjacent values ("V1 V2")
  // A year or date with the table's one date column: "in 1980", "before 1975", "since 2024-03-01".
  if (dates.length === 1) {
    take(/ (?:in|during|of|on) ([NQ]\d+) /g, (m) => (dateLike(m[1]) ? { column: dates[0].name, op: '=', value: valueOf(m[1]) } : null));
    for (const [op, words] of OPS.slice(1)) take(new RegExp(` ${words} ([NQ]\\d+) `, 'g'), (m) => (dateLike(m[1]) ? { column: dates[0].name, op, value: valueOf(m[1]) } : null));
  }
  return { filters: mergeEqualities(filters), text: s.replace(/\s+/g, ' ') };
}

/** `origin = Japan` and `origin = Europe` together mean either: one `in` filter. */
function mergeEqualities(filters: Filter[]): Filter[] {
  const out: Filter[] = [];
  for (const f of filters) {
    const same = f.op === '=' ? out.find((o) => o.column === f.column && o.part === f.part && (o.op === '=' || o.op === 'in')) : undefined;
    if (!same) { out.push(f); continue; }
    if (same.op === '=') { same.op = 'in'; same.values = [same.value!]; delete same.value; }
    if (!same.values!.includes(f.value!)) same.values!.push(f.value!);
  }
  return out;
}
