import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { profileTable } from '../../../analysis/profile/profile-table.js';
import type { EdaResult } from '../../../analysis/profile/types.js';
import { checkReportHtml, REPORT_MAX_BYTES } from '../../../analysis/qa/check-report.js';
import { escapeHtml, html } from '../../../analysis/report/escape.js';
import { inlineLogo, MAX_LOGO_BYTES } from '../../../analysis/report/logo.js';
import { renderReportHtml, type ReportInput } from '../../../analysis/report/render-html.js';
import { OPTIONAL_SECTIONS, REPORT_SECTIONS } from '../../../analysis/report/section-list.js';
import { AA_NORMAL_TEXT, contrastRatio, DEFAULT_THEME, resolveTheme } from '../../../analysis/report/theme.js';
import { softwareVersions } from '../../../analysis/report/versions.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
const evil = '<script>alert(1)</script>';
const evilImg = '"><img src=x onerror=alert(2)>';

async function profileCsv(name: string, text: string): Promise<EdaResult> {
  const file = path.join(tmp, `${name}.csv`), parquet = path.join(tmp, `${name}.parquet`);
  fs.writeFileSync(file, text);
  const m = await readTable({ inputPath: file, format: 'csv', parquetOut: parquet });
  return profileTable(parquet, m.columns, { done: [] });
}

const input = (eda: EdaResult, over: Partial<ReportInput> = {}): ReportInput => ({
  title: 'Assay report: t', dataset: { name: 't', filename: 't.csv', sha256: 'ab'.repeat(32) }, eda, modeling: null, findings: [], warnings: [],
  run: { run_id: 'r1', workflow_id: 'run-r1', temporal_ui_url: 'http://localhost:8233', namespace: 'default', options: {} },
  versions: softwareVersions(), theme: DEFAULT_THEME, logo: null, generatedAt: '2026-01-01T00:00:00Z', ...over,
});

test('escapeHtml and the html template escape every interpolation', () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  expect(html`<p>${evil}</p>`.value).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  expect(html`<ul>${[html`<li>${'<b>'}</li>`]}</ul>`.value).toBe('<ul><li>&lt;b&gt;</li></ul>');
});

describe('a table whose names and values are HTML', () => {
  let page: string;
  beforeAll(async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2 ? evil : evilImg},${i * 1.5},${i % 3 ? 'a' : '<b>bold</b>'}`);
    const eda = await profileCsv('hostile', [`"${evilImg.replace(/"/g, '""')}",${evil},"x<i>"`, ...rows].join('\n'));
    page = await renderReportHtml(input(eda, {
      title: `Report ${evil}`, dataset: { name: evil, filename: `${evil}.csv`, sha256: 'abc' }, warnings: [evil],
      findings: [{ severity: 'warning', check: 'leakage', message: `check '${evil}'` }],
      run: { run_id: 'r', workflow_id: 'run-r', temporal_ui_url: 'http://localhost:8233', namespace: 'default', options: { target: evil } },
    }));
  });

  test('renders every name and value as text, in the page and inside the SVG charts', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>bold</b>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3);
    expect(checkReportHtml(page, { modeling: false }).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('has every section, a table of contents and the link to the workflow in the Temporal Web UI', () => {
    for (const [id] of REPORT_SECTIONS) {
      expect(page.includes(`id="${id}"`), id).toBe(!OPTIONAL_SECTIONS.has(id));
      expect(page.includes(`href="#${id}"`), id).toBe(!OPTIONAL_SECTIONS.has(id)); // no time series here
    }
    expect(page).toContain('href="http://localhost:8233/namespaces/default/workflows/run-r"');
    expect(page).toMatch(/No model was trained/);
  });
});

describe('key findings come from the numbers', () => {
  test('duplicates, missing values, a strong correlation and skew are each said once, only when present', async () => {
    const lines = ['a,b,c,note'];
    for (let i = 0; i < 200; i++) lines.push(`${i},${i * 2 + (i % 7)},${i < 190 ? 1 : 400},${i % 10 ? 'x' : ''}`);
    lines.push(lines[1], lines[2]);
    const page = await renderReportHtml(input(await profileCsv('findings', lines.join('\n'))));
    const findings = page.slice(page.indexOf('id="findings"'), page.indexOf('id="alerts"'));
    expect(findings).toContain('2 rows (1.0%) repeat an earlier row exactly.');
    expect(findings).toMatch(/of cells are missing; &#39;note&#39; has the most gaps/);
    expect(findings).toMatch(/&#39;a&#39; and &#39;b&#39; rise together \(Pearson r = 1\.00\)/);
    expect(findings).toMatch(/&#39;c&#39; is right-skewed/);

    const clean = await renderReportHtml(input(await profileCsv('clean', ['u,v', '1,x', '2,y', '3,x'].join('\n'))));
    const cleanFindings = clean.slice(clean.indexOf('id="findings"'), clean.indexOf('id="alerts"'));
    expect(cleanFindings).toContain('No value is missing.');
    expect(cleanFindings).not.toMatch(/duplicate|repeat|skewed|rise together/);
  });
});

test('a 100-column table stays under the size budget: columns past the limit are summarised, and the page says so', async () => {
  const cols = Array.from({ length: 100 }, (_, j) => (j % 4 === 3 ? `cat_${j}` : `num_${j}`));
  const lines = [cols.join(',')];
  for (let i = 0; i < 2000; i++) lines.push(cols.map((c, j) => (c.startsWith('cat') ? `k${(i * (j + 1)) % 17}` : ((i * 7919 + j * 104729) % 1000) / 10)).join(','));
  const eda = await profileCsv('wide', lines.join('\n'));
  const page = await renderReportHtml(input(eda, { maxColumnCards: 50 }));
  const bytes = Buffer.byteLength(page);
  expect(bytes).toBeLessThan(REPORT_MAX_BYTES);
  expect(page.match(/<article class="card">/g)).toHaveLength(50);
  expect(page).toContain('the 50 beyond the first 50 are summarised below without charts');
  expect(page.includes('<td>num_98</td>')).toBe(true);
  console.log(`100-column report: ${(bytes / 1024).toFixed(0)} KB`);
}, 60_000);

describe('theme', () => {
  test('Assay\'s default colours pass WCAG AA on both backgrounds', () => {
    for (const c of [DEFAULT_THEME.text, DEFAULT_THEME.muted, DEFAULT_THEME.primary, DEFAULT_THEME.accent, DEFAULT_THEME.ok, DEFAULT_THEME.warn, DEFAULT_THEME.error]) {
      expect(contrastRatio(c, DEFAULT_THEME.bg)).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
      expect(contrastRatio(c, DEFAULT_THEME.surface)).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
    }
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 6);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  test('brand colours reach the CSS and the charts; colours that fail AA are corrected and said', async () => {
    const { theme, adjustments } = resolveTheme({ primary: '#7c3aed', muted: '#bbbbbb', bg: '#fffdf5', fontFamily: 'Georgia, serif' });
    expect(theme.primary).toBe('#7c3aed');
    expect(theme.muted).not.toBe('#bbbbbb');
    expect(contrastRatio(theme.muted, theme.bg)).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
    expect(adjustments).toEqual([expect.stringMatching(/^REPORT_MUTED #bbbbbb has contrast 1\.\d\d:1 .* #[0-9a-f]{6} is used instead to pass WCAG AA/)]);
    const dark = resolveTheme({ bg: '#111111', surface: '#1b1b1b' });
    expect(contrastRatio(dark.theme.text, '#111111')).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
    const eda = await profileCsv('theme', ['x,y', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 3}`)].join('\n'));
    const page = await renderReportHtml(input(eda, { theme }));
    expect(page).toContain('--primary:#7c3aed');
    expect(page).toContain('font-family:Georgia, serif');
    expect(page).toMatch(/<path[^>]*fill="#7c3aed"/); // histogram bars in the brand colour
  });
});

describe('logo', () => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/logo.png') { res.writeHead(200, { 'content-type': 'image/png' }); res.end(png); } else { res.writeHead(404); res.end(); }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('is inlined as a data URI from a file, a URL or a data URI, never linked', async () => {
    const file = path.join(tmp, 'logo.png');
    fs.writeFileSync(file, png);
    const want = `data:image/png;base64,${png.toString('base64')}`;
    expect(await inlineLogo(file)).toEqual({ dataUri: want, warning: null });
    expect(await inlineLogo(`${base}/logo.png`)).toEqual({ dataUri: want, warning: null });
    expect(await inlineLogo(want)).toEqual({ dataUri: want, warning: null });
    const eda = await profileCsv('logo', 'x\n1\n2\n');
    const page = await renderReportHtml(input(eda, { logo: want }));
    expect(page).toContain(`<img src="${want}" alt="Logo">`);
    expect(checkReportHtml(page, { modeling: false }).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('a missing, oversized or non-image logo is left out with a reason', async () => {
    expect((await inlineLogo(`${base}/nope.png`)).warning).toMatch(/answered 404/);
    expect((await inlineLogo(path.join(tmp, 'absent.png'))).warning).toMatch(/could not be read/);
    const big = path.join(tmp, 'big.png');
    fs.writeFileSync(big, Buffer.alloc(MAX_LOGO_BYTES + 1));
    expect((await inlineLogo(big)).warning).toMatch(/above the 512 KB limit/);
    const txt = path.join(tmp, 'logo.txt');
    fs.writeFileSync(txt, 'hi');
    expect((await inlineLogo(txt)).warning).toMatch(/use PNG, JPEG, GIF, WebP or SVG/);
  });
});

test('the alerts section states the thresholds the alerts were raised with, the run\'s own included', async () => {
  const rows = Array.from({ length: 100 }, (_, i) => `${i},${i % 20 === 0 ? '' : i * 2}`);
  const file = path.join(tmp, 'gaps.csv'), parquet = path.join(tmp, 'gaps.parquet');
  fs.writeFileSync(file, ['id,x', ...rows].join('\n'));
  const m = await readTable({ inputPath: file, format: 'csv', parquetOut: parquet });
  const eda = await profileTable(parquet, m.columns, { done: [], thresholds: { skewness: 5 } });
  expect(eda.alert_thresholds).toMatchObject({ missing_pct: 0.01, skewness: 5 });
  expect(eda.alerts.find((a) => a.kind === 'MISSING')).toMatchObject({ column: 'x', value: 0.05 }); // 5% missing is flagged by default
  const page = await renderReportHtml(input(eda));
  const alerts = page.slice(page.indexOf('id="alerts"'));
  expect(alerts).toContain('Thresholds: MISSING above 1% of rows; DUPLICATES above 0% of rows; ZEROS above 10%');
  expect(alerts).toContain('SKEWED above |skewness| 5;');
});
