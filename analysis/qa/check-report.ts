import { OPTIONAL_SECTIONS, REPORT_SECTIONS } from '../report/section-list.js';
import type { Finding } from './check-artifacts.js';

const TAG = /<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTR = /\s([^\s=/>"']+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

/** The report's size budget: past it the report is still written, and QA says so. */
export const REPORT_MAX_BYTES = 3 * 1024 * 1024;

/**
 * Checks a rendered report: an HTML document with every section, nothing executable and nothing loaded from
 * the network, within the size budget.
 */
export function checkReportHtml(page: string, o: { modeling: boolean; timeSeries?: boolean }): Finding[] {
  const out: Finding[] = [];
  if (!page.startsWith('<!doctype html>')) out.push({ severity: 'error', check: 'report', message: 'The report is not an HTML document.' });
  const expected = REPORT_SECTIONS.filter(([id]) => !OPTIONAL_SECTIONS.has(id) || (id === 'timeseries' && o.timeSeries));
  const missing = expected.filter(([id]) => !page.includes(`id="${id}"`)).map(([, title]) => title);
  if (missing.length) out.push({ severity: 'error', check: 'report', message: `The report lacks these sections: ${missing.join(', ')}.` });
  // User text is escaped, so every '<' in the page opens one of our own tags; only tags are searched, attribute by attribute.
  const found = [...page.matchAll(TAG)];
  const attrs = found.flatMap((t) => [...t[0].matchAll(ATTR)].map((a) => ({ tag: t[1].toLowerCase(), name: a[1].toLowerCase(), value: a[2] ?? a[3] ?? a[4] ?? '' })));
  const tags = new Set(found.map((t) => t[1].toLowerCase()));
  if (tags.has('script') || attrs.some((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value))) {
    out.push({ severity: 'error', check: 'report', message: 'The report contains script or event handlers.' });
  }
  const external = ['link', 'iframe', 'object', 'embed'].some((t) => tags.has(t))
    || attrs.some((a) => (a.name === 'src' || a.name === 'srcset' || (a.name === 'href' && a.tag !== 'a')) && !a.value.startsWith('data:') && !a.value.startsWith('#'))
    || [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].some((m) => /url\(|@import/i.test(m[1]));
  if (external) out.push({ severity: 'error', check: 'report', message: 'The report loads something from outside the file.' });
  const bytes = Buffer.byteLength(page);
  if (bytes > REPORT_MAX_BYTES) out.push({ severity: 'warning', check: 'report_size', message: `The report is ${(bytes / 1048576).toFixed(1)} MB, above the ${REPORT_MAX_BYTES / 1048576} MB budget.` });
  if (o.modeling && page.includes('No model was trained for this run.')) out.push({ severity: 'error', check: 'report', message: 'A model was trained but the report does not show it.' });
  return out;
}
