import type { NlqColumn } from './query.js';
import { likeness, phraseScore, singular, wordsOf } from './words.js';

/** A stretch of the question's words that names a column, or one of a column's values. */
export interface Mention {
  kind: 'column' | 'value';
  /** First word and one past the last. */
  start: number;
  end: number;
  column: string;
  /** The value as the data writes it (`value` mentions). */
  value?: string;
  score: number;
}

/** Words that never start or end a column or value mention on their own. */
const EDGE_STOP = new Set(['the', 'a', 'an', 'of', 'in', 'on', 'for', 'by', 'per', 'to', 'and', 'or', 'with', 'is', 'are', 'was', 'were', 'what', 'which', 'how', 'each', 'every', 'than', 'from', 'where', 'that', 'their', 'its', 'all', 'be']);
const MAX_SPAN = 6;

interface Target { column: string; kind: 'column' | 'value'; words: string[]; value?: string }

/** Initials of a multi-word name (`miles per gallon` → `mpg`). */
const initials = (words: string[]) => (words.length >= 2 ? words.map((w) => w[0]).join('') : '');

// Adjective endings (japanese, italian, european, british, northern): what is left must begin one of a value's words.
const ADJECTIVE_ENDINGS = ['ese', 'ian', 'ean', 'an', 'ish', 'ern', 'i'];

/**
 * Whether a word is an adjective or demonym of a value, judged only from the value's own spelling: the word less
 * its ending (`japanese` → `japan`, `european` → `europ`) begins one of the value's words, at most three letters
 * short of it. No dictionary, so `american` names `America` or `United States of America` but never `USA`.
 */
export function adjectiveOf(word: string, valueWords: string[]): boolean {
  if (word.length < 6 || valueWords.length > 4) return false;
  for (const end of ADJECTIVE_ENDINGS) {
    if (!word.endsWith(end)) continue;
    const stem = word.slice(0, -end.length);
    if (stem.length < 4) continue;
    if (valueWords.some((v) => v !== word && v.startsWith(stem) && v.length - stem.length <= 3)) return true;
  }
  return false;
}

/**
 * Finds the columns and values a question's words name, longest and surest first, never overlapping. Columns
 * match by name up to case, spacing, underscores, plurals, a typo or two, initials (`mpg`), or as the unique column
 * whose name begins with the words (`weight` → `Weight_in_lbs`); values match a categorical column's common values,
 * also through an adjective of them (`japanese` → `Japan`, see `adjectiveOf`).
 * `reserved` words (the reader's own vocabulary) only ever match a column spelt exactly so.
 */
export function findMentions(words: string[], columns: NlqColumn[], reserved: ReadonlySet<string>): Mention[] {
  const targets: Target[] = columns.map((c) => ({ column: c.name, kind: 'column', words: wordsOf(c.name) }));
  for (const c of columns) {
    if (c.type !== 'categorical' && c.type !== 'text' && c.type !== 'identifier') continue;
    for (const v of c.categories ?? []) {
      const w = wordsOf(v);
      if (w.length && w.length <= MAX_SPAN && !w.every((x) => EDGE_STOP.has(x) || /^\d+$/.test(x))) targets.push({ column: c.name, kind: 'value', words: w, value: v });
    }
  }
  const found: Mention[] = [];
  for (let start = 0; start < words.length; start++) {
    if (EDGE_STOP.has(words[start])) continue;
    for (let end = start + 1; end <= Math.min(words.length, start + MAX_SPAN); end++) {
      const phrase = words.slice(start, end);
      if (EDGE_STOP.has(phrase.at(-1)!)) continue;
      const guarded = phrase.some((w) => reserved.has(w));
      const prefixHits: Target[] = [];
      for (const t of targets) {
        let score = phraseScore(phrase, t.words);
        if (guarded && score < 1) continue;
        if (score === 0 && t.kind === 'column' && phrase.length === 1 && phrase[0].length >= 2 && phrase[0] === initials(t.words)) score = 0.8;
        if (score === 0 && t.kind === 'value' && phrase.length === 1 && !guarded && adjectiveOf(phrase[0], t.words)) score = 0.8;
        if (score === 0 && t.kind === 'column' && t.words.length > phrase.length && phrase.every((w, i) => singular(w) === singular(t.words[i]))) prefixHits.push(t);
        if (score > 0) found.push({ kind: t.kind, start, end, column: t.column, value: t.value, score: t.kind === 'value' ? score - 0.01 : score });
      }
      // A prefix names a column only when no other column starts the same way.
      if (!guarded && prefixHits.length === 1) found.push({ kind: 'column', start, end, column: prefixHits[0].column, score: 0.75 });
    }
  }
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || b.score - a.score || a.start - b.start);
  const taken = new Array<boolean>(words.length).fill(false);
  const chosen: Mention[] = [];
  for (const m of found) {
    let free = true;
    for (let i = m.start; i < m.end; i++) if (taken[i]) free = false;
    if (!free) continue;
    for (let i = m.start; i < m.end; i++) taken[i] = true;
    chosen.push(m);
  }
  return chosen.sort((a, b) => a.start - b.start);
}

/**
 * The dataset's columns most like a word that named none, best first (at most `n`), for "did you mean".
 * @example nearColumns('salry', columns) // ['salary', 'sales']
 */
export function nearColumns(word: string, columns: NlqColumn[], n = 3): string[] {
  const w = wordsOf(word).map(singular).join(' ');
  const scored = columns.map((c) => {
    const cw = wordsOf(c.name).map(singular);
    const whole = likeness(w, cw.join(' '));
    const part = Math.max(0, ...cw.map((x) => likeness(w, x)));
    const init = initials(cw) === w.replace(/\s/g, '') ? 1 : 0;
    return { name: c.name, score: Math.max(whole, part * 0.9, init) };
  });
  scored.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  return scored.slice(0, n).map((s) => s.name);
}
