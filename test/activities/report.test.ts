// The report stage for real: DuckDB profile, the model engine, vega SVG and the PDF printed by Debian's Chromium,
// then each report opened in headless Chromium the way a reader opens the downloaded file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_ARGS } from '../../analysis/report/render-pdf.js';
import { seededRandom } from '../../analysis/ml/random.js';
import { OPTIONAL_SECTIONS, REPORT_SECTIONS } from '../../analysis/report/section-list.js';
import { activityEnv, runStages, type ActivityEnv } from '../helpers/activity-env.js';
import { VEGA } from '../helpers/client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve('.test-output');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-browser-'));
let env: ActivityEnv;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  env = await activityEnv();
  browser = await puppeteer.launch({ executablePath: CHROMIUM, userDataDir: fs.mkdtempSync(path.join(tmp, 'chrome-')), args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

interface Opened { page: Page; requests: string[]; consoleErrors: string[]; dialogs: string[] }

/** Opens a report as a downloaded file, with scripts enabled so that any script that slipped through would run. */
async function open(html: string, name: string, width = 1200): Promise<Opened> {
  const file = path.join(tmp, `${name}.html`);
  fs.writeFileSync(file, html);
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  const o: Opened = { page, requests: [], consoleErrors: [], dialogs: [] };
  await page.setRequestInterception(true);
  page.on('request', (r) => { if (r.url() !== `file://${file}` && !r.url().startsWith('data:')) o.requests.push(r.url()); void r.continue(); });
  page.on('console', (m) => { if (m.type() === 'error') o.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => o.consoleErrors.push(String(e)));
  page.on('dialog', (d) => { o.dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  await page.screenshot({ path: path.join(SHOTS, `report-${name}.png`), fullPage: true });
  return o;
}

/** Text of every page of a PDF, read back with pdf.js. */
async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: true }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '));
  }
  await doc.destroy();
  return pages;
}

/** Elements whose own text fails WCAG AA contrast against the background they are drawn on. */
const lowContrast = (page: Page) => page.evaluate(() => {
  const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]: number[]) => {
    const f = (v: number) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el: Element | null): number[] => {
    for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3); }
    return [255, 255, 255];
  };
  const bad: string[] = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim())) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push(`${el.tagName} ${ratio.toFixed(2)} ${el.textContent!.slice(0, 30)}`);
  }
  return bad;
});

describe('a classification report (penguins)', () => {
  let run: Awaited<ReturnType<typeof runStages>>;
  let o: Opened;
  beforeAll(async () => {
    run = await runStages(env, VEGA('penguins.json'), 'json', { target: 'Species' });
    o = await open(run.html, 'penguins');
  }, 120_000);

  test('opens offline with every section, no console error and no network request', async () => {
    const ids = await o.page.$$eval('main > section, footer', (els) => els.map((e) => e.id));
    const always = REPORT_SECTIONS.filter(([id]) => !OPTIONAL_SECTIONS.has(id)); // penguins is not a time series
    expect(ids).toEqual(always.map(([id]) => id));
    const toc = await o.page.$$eval('nav.toc a', (as) => as.map((a) => a.getAttribute('href')));
    expect(toc).toEqual(always.map(([id]) => `#${id}`));
    expect(o.requests).toEqual([]);
    expect(o.consoleErrors).toEqual([]);
    expect(fs.statSync(path.join(SHOTS, 'report-penguins.png')).size).toBeGreaterThan(50_000);
  });

  test('shows the model: leaderboard, SHAP and permutation importance, partial dependence, confusion matrix', async () => {
    const figures = await o.page.$$eval('figure h3', (hs) => hs.map((h) => h.textContent));
    expect(figures).toEqual(expect.arrayContaining(['Model leaderboard', 'SHAP importance', 'Permutation importance', 'Confusion matrix', 'Partial dependence: Beak Length (mm)']));
    const rows = await o.page.$$eval('#models tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(await o.page.$eval('#findings', (e) => e.textContent)).toMatch(/The best model, \w+, predicts 'Species' with macro_f1 0\.9\d\d/);
  });

  test('is readable: one h1, no skipped heading level, every chart labelled, text contrast passes WCAG AA, nothing wider than the page', async () => {
    const levels = await o.page.$$eval('h1, h2, h3, h4', (hs) => hs.map((h) => Number(h.tagName[1])));
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    expect(levels.every((l, i) => i === 0 || l <= levels[i - 1] + 1)).toBe(true);
    const labels = await o.page.$$eval('figure > svg', (svgs) => svgs.map((s) => [s.getAttribute('role'), s.getAttribute('aria-label') ?? ''] as const));
    expect(labels.length).toBeGreaterThan(8);
    for (const [role, label] of labels) { expect(role).toBe('img'); expect(label.length).toBeGreaterThan(20); }
    expect(await lowContrast(o.page)).toEqual([]);
    await o.page.setViewport({ width: 700, height: 900 });
    expect(await o.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
  });

  test('prints to an A4 PDF with the title in the header and page numbers', async () => {
    expect(run.rep.pdf_id).toEqual(expect.any(String));
    expect(run.pdf!.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = await pdfPages(run.pdf!);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages[0]).toContain('Assay report: penguins');
    expect(pages[0]).toMatch(/Page\s+1\s+of\s+\d+/);
    expect(pages.at(-1)).toMatch(new RegExp(`Page\\s+${pages.length}\\s+of\\s+${pages.length}`));
    expect(pages.join(' ')).toContain('Reproducibility');
    const doc = await getDocument({ data: new Uint8Array(run.pdf!) }).promise;
    const [, , w, h] = (await doc.getPage(1)).view; // A4 is 210 × 297 mm: 595.3 × 841.9 points (Chromium rounds to 8.27 in)
    expect(Math.abs(w - 595.3)).toBeLessThan(1);
    expect(Math.abs(h - 841.9)).toBeLessThan(1);
    await doc.destroy();
  });

  test('QA passes and writes critique.json', () => {
    expect(run.critique.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(run.qa.ok).toBe(true);
  });
});

test('a regression report shows residuals and predicted against actual', async () => {
  const run = await runStages(env, VEGA('cars.json'), 'json', { target: 'Horsepower' });
  const o = await open(run.html, 'cars');
  const figures = await o.page.$$eval('#diagnostics figure h3', (hs) => hs.map((h) => h.textContent));
  expect(figures).toEqual(['Predicted vs actual', 'Residuals']);
  expect(await o.page.$eval('#diagnostics p', (p) => p.textContent)).toMatch(/RMSE \d/);
  expect(o.consoleErrors).toEqual([]);
  expect(o.requests).toEqual([]);
}, 120_000);

test('hostile column names and values run no script, in the page or the PDF', async () => {
  const evil = '<script>alert("name")</script>';
  const img = '<img src=x onerror=alert("value")>';
  const lines = [`"${img.replace(/"/g, '""')}","${evil.replace(/"/g, '""')}",label`];
  // The label is drawn at random, independently of the columns (a label derived from i would be learnable from
  // (i * 37) % 100, which is i itself below 100, and a hyper-parameter search finds that); 600 rows keep the
  // chance ROC AUC of an unrelated label within a few hundredths of 0.5.
  const coin = seededRandom(11);
  for (let i = 0; i < 600; i++) lines.push(`"${(i % 2 ? img : '<b>x</b>').replace(/"/g, '""')}",${(i * 37) % 100},${coin() < 0.67 ? '"<svg onload=alert(1)>"' : 'ok'}`);
  const file = path.join(tmp, `${evil.replace(/[<>"/]/g, '_')}.csv`);
  fs.writeFileSync(file, lines.join('\n'));
  const run = await runStages(env, file, 'csv', { target: 'label' });
  const o = await open(run.html, 'hostile');
  expect(o.dialogs).toEqual([]);
  expect(o.consoleErrors).toEqual([]);
  expect(o.requests).toEqual([]);
  expect(await o.page.$$eval('script, img[src="x"], body svg [onload]', (els) => els.length)).toBe(0);
  const text = await o.page.evaluate(() => document.body.textContent!);
  expect(text).toContain(evil);
  expect(text).toContain(img);
  expect(run.critique.findings.filter((f) => f.check === 'report')).toEqual([]);
  expect(run.pdf).not.toBeNull();
  // The label is unrelated to the columns: the findings say the model is barely better than the baseline, or is it.
  // (A search may find nothing that beats the baseline beyond noise; then the baseline itself is the best model.)
  expect(await o.page.$eval('#findings', (e) => e.textContent!)).toMatch(/barely better than the baseline \(\+0\.0\d\d roc_auc\): the columns carry little signal about 'label'|The best model, baseline, predicts 'label' with roc_auc 0\.500/);
}, 120_000);

test('theming changes the colours and font of the page and its charts', async () => {
  const themed = env.withEnv({ REPORT_PRIMARY: '#7c3aed', REPORT_BG: '#fffdf5', REPORT_TEXT: '#222222', REPORT_MUTED: '#bbbbbb', REPORT_FONT_FAMILY: 'Georgia, serif' });
  const run = await runStages(env, VEGA('penguins.json'), 'json', { acts: themed });
  const o = await open(run.html, 'themed');
  const style = await o.page.evaluate(() => ({
    h1: getComputedStyle(document.querySelector('h1')!).color, bg: getComputedStyle(document.body).backgroundColor,
    font: getComputedStyle(document.body).fontFamily, bar: document.querySelector('figure svg path[fill="#7c3aed"]') !== null,
  }));
  expect(style).toEqual({ h1: 'rgb(124, 58, 237)', bg: 'rgb(255, 253, 245)', font: 'Georgia, serif', bar: true });
  // The pale muted grey fails AA: the report darkens it, and the run says so.
  expect(run.rep.warnings).toEqual([expect.stringMatching(/^REPORT_MUTED #bbbbbb has contrast/)]);
  expect(await lowContrast(o.page)).toEqual([]);
}, 120_000);

test('without Chromium the report stage completes with HTML only and says why', async () => {
  const noChrome = env.withEnv({ CHROMIUM_PATH: path.join(tmp, 'no-such-chromium') });
  const run = await runStages(env, VEGA('penguins.json'), 'json', { acts: noChrome });
  expect(run.pdf).toBeNull();
  expect(run.rep.pdf_id).toBeUndefined();
  expect(run.rep.warnings).toEqual([expect.stringMatching(/^No PDF was made: Chromium was not found at .*no-such-chromium \(set CHROMIUM_PATH/)]);
  expect(run.html.startsWith('<!doctype html>')).toBe(true);
  expect(run.qa.ok).toBe(true);
}, 120_000);

test('a time series gets its section: the ordering column, frequency, seasonality and the series over time', async () => {
  const run = await runStages(env, VEGA('seattle-weather.csv'), 'csv');
  const o = await open(run.html, 'seattle');
  const ids = await o.page.$$eval('main > section, footer', (els) => els.map((e) => e.id));
  expect(ids).toEqual(REPORT_SECTIONS.map(([id]) => id));
  const text = await o.page.$eval('#timeseries', (e) => e.textContent!);
  expect(text).toContain("The rows are ordered by 'date', one every day (2012-01-01 to 2015-12-31): a time series.");
  expect(text).toMatch(/'temp_max' repeats every year \(autocorrelation 0\.\d\d at lag 365\)/);
  expect(await o.page.$$eval('#timeseries figure svg', (s) => s.length)).toBe(1);
  expect(await o.page.$eval('#findings', (e) => e.textContent!)).toContain('a time series');
  expect(run.critique.findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(o.consoleErrors).toEqual([]);
}, 120_000);
