// Word-level helpers shared by the reader's column and value matching.

/** A name or phrase as lowercase words: camelCase split, `_ - . /` as spaces, other punctuation dropped. */
export function wordsOf(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[_\-./\\]+/g, ' ')
    .replace(/[^\p{L}\p{N}%\s]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** English singular of a word, good enough for column names (`prices` → `price`, `cities` → `city`). */
export function singular(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && /(ses|xes|zes|ches|shes)$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** Edit distance (insert, delete, substitute, swap of neighbours), stopping early past `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/** Typos forgiven in a word of this length: none below 4 letters, one up to 7, two from 8. */
export const typoBudget = (len: number) => (len < 4 ? 0 : len < 8 ? 1 : 2);

/**
 * How well a phrase (words) names a target (words): 1 exact, 0.95 same up to plurals or spacing (`horse power`),
 * 0.85 the same words within a typo or two (word by word, numbers exact), 0 otherwise.
 */
export function phraseScore(phrase: string[], target: string[]): number {
  if (phrase.join(' ') === target.join(' ')) return 1;
  const ps = phrase.map(singular), ts = target.map(singular);
  if (ps.join(' ') === ts.join(' ') || ps.join('') === ts.join('')) return 0.95;
  if (ps.length !== ts.length) return 0;
  let total = 0;
  for (let i = 0; i < ps.length; i++) {
    if (ps[i] === ts[i]) continue;
    if (/\d/.test(ps[i]) || /\d/.test(ts[i])) return 0;
    const d = editDistance(ps[i], ts[i], 2);
    if (d > typoBudget(Math.min(ps[i].length, ts[i].length))) return 0;
    total += d;
  }
  return total <= 2 ? 0.85 : 0;
}

/** A rough 0–1 likeness of two strings (1 − edit distance / longer length), for ranking near matches. */
export function likeness(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return 1;
  return 1 - Math.min(editDistance(a, b, n), n) / n;
}
