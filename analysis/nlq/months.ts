// Month names for date filters: "in march", "in march 2020", "between january and june".

/** Month names and their usual abbreviations, to the month's number (1–12). */
export const MONTHS = new Map<string, number>([
  ['january', 1], ['jan', 1], ['february', 2], ['feb', 2], ['march', 3], ['mar', 3], ['april', 4], ['apr', 4], ['may', 5],
  ['june', 6], ['jun', 6], ['july', 7], ['jul', 7], ['august', 8], ['aug', 8], ['september', 9], ['sep', 9], ['sept', 9],
  ['october', 10], ['oct', 10], ['november', 11], ['nov', 11], ['december', 12], ['dec', 12],
]);

const NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A month's name from its number: 3 → March. */
export const monthName = (n: number) => NAMES[n - 1] ?? String(n);

const pad = (n: number) => String(n).padStart(2, '0');

/** The first day of a month as an ISO date: (2020, 3) → 2020-03-01. */
export const monthStart = (year: number, month: number) => `${year}-${pad(month)}-01`;

/** The last day of a month as an ISO date: (2020, 2) → 2020-02-29. */
export function monthEnd(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${pad(month)}-${pad(last)}`;
}
