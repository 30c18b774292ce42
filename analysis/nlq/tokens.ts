import { findMentions, type Mention } from './columns.js';
import type { NlqColumn } from './query.js';

/** One slot of a question's template: a column (`C`), a value of one (`V`), a number (`N`) or quoted/ISO-date text (`Q`). */
export type Slot =
  | { kind: 'C'; column: string; words: string }
  | { kind: 'V'; column: string; value: string; words: string }
  | { kind: 'N'; value: number; words: string }
  | { kind: 'Q'; value: string; words: string };

/**
 * A question as a template: lowercase words with each slot written as its kind and index (`average C0 by C1`),
 * so the reader's patterns are plain regular expressions; `slots` holds what each stands for.
 */
export interface Template { text: string; slots: Slot[]; words: string[] }

// Symbols become words the patterns know.
const SYMBOLS: [RegExp, string][] = [
  [/>=|≥|=>/g, ' gte '], [/<=|≤|=</g, ' lte '], [/!=|<>|≠/g, ' neq '], [/==?/g, ' eq '], [/>/g, ' gt '], [/</g, ' lt '], [/%/g, ' percent '],
];

/**
 * Turns a question into a template. Quoted text and ISO dates become `Q` slots; numbers (`1,200`, `-3.5`, `12k`)
 * `N` slots; the dataset's columns and common values, matched fuzzily, `C` and `V` slots.
 * @param reserved the reader's own words, which match a column only when spelt exactly as it is named
 */
export function templateOf(question: string, columns: NlqColumn[], reserved: ReadonlySet<string>): Template {
  const literals: string[] = [];
  let q = question.replace(/["“”]([^"“”]{1,200})["“”]|(?:^|(?<=\s))['‘’]([^'‘’]{1,200})['‘’](?=\s|$|[?.,!;:])/g, (_m, a?: string, b?: string) => {
    literals.push((a ?? b ?? '').trim());
    return ` qlit${literals.length - 1} `;
  });
  q = q.replace(/\b\d{4}-\d{2}(?:-\d{2})?(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b/g, (m) => { literals.push(m); return ` qlit${literals.length - 1} `; });
  for (const [re, w] of SYMBOLS) q = q.replace(re, w);
  // Thousands separators go; a decimal comma or point stays part of the number.
  q = q.replace(/(\d),(?=\d{3}\b)/g, '$1');
  const raw = q.match(/qlit\d+|-?\d+(?:\.\d+)?k?\b|[\p{L}\p{N}_]+(?:['’][\p{L}]+)?/gu) ?? [];
  const words = raw.flatMap((t) => (/^qlit\d+$|^-?\d/.test(t) ? [t] : t.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/['’]s$/, '').split(/_+/).filter(Boolean)));
  const plain = words.map((w) => (/^qlit\d+$/.test(w) ? '\u0000' : w));
  const mentions = findMentions(plain, columns, reserved);
  const byStart = new Map<number, Mention>(mentions.map((m) => [m.start, m]));
  const slots: Slot[] = [];
  const out: string[] = [];
  for (let i = 0; i < words.length;) {
    const m = byStart.get(i);
    const w = words[i];
    if (m) {
      const text = words.slice(m.start, m.end).join(' ');
      slots.push(m.kind === 'column' ? { kind: 'C', column: m.column, words: text } : { kind: 'V', column: m.column, value: m.value!, words: text });
      out.push(`${m.kind === 'column' ? 'C' : 'V'}${slots.length - 1}`);
      i = m.end;
      continue;
    }
    const lit = /^qlit(\d+)$/.exec(w);
    const num = /^(-?\d+(?:\.\d+)?)(k?)$/.exec(w);
    if (lit) {
      const text = literals[Number(lit[1])];
      // A quoted column name is that column, whatever its words ("average \"a\"", "sum of 'total'").
      const named = columns.find((c) => c.name === text) ?? columns.find((c) => c.name.toLowerCase() === text.toLowerCase());
      slots.push(named ? { kind: 'C', column: named.name, words: text } : { kind: 'Q', value: text, words: text });
      out.push(`${named ? 'C' : 'Q'}${slots.length - 1}`);
    } else if (num) {
      slots.push({ kind: 'N', value: Number(num[1]) * (num[2] ? 1000 : 1), words: w });
      out.push(`N${slots.length - 1}`);
    } else {
      out.push(w);
    }
    i++;
  }
  return { text: out.join(' '), slots, words };
}

/** The slot a template token names (`C3` → slots[3]), or undefined for a plain word. */
export function slotOf(t: Template, token: string | undefined): Slot | undefined {
  const m = token ? /^[CVNQ](\d+)$/.exec(token) : null;
  return m ? t.slots[Number(m[1])] : undefined;
}
