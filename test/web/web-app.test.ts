// The web app, driven end to end in real headless Chromium against the real API, workers, Temporal and Postgres:
// register, upload, start a run, answer its question, read the leaderboard and the report, predict one row.
// Screenshots at desktop and phone width go to .test-output/screenshots/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM_ARGS } from '../../analysis/report/render-pdf.js';
import { findChromium } from '../../analysis/report/find-chromium.js';
import { WEB_APP_CSP, WEB_CHART_WORKER_CSP } from '../../api/web-app.js';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SHOTS = path.resolve('.test-output/screenshots');
const DESKTOP = { width: 1280, height: 900 };
// No isMobile/hasTouch: switching those makes puppeteer reload the page, which would lose the state under test.
const PHONE = { width: 375, height: 740, deviceScaleFactor: 2 };
let stack: Stack;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

const shot = async (name: string) => {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};
/** Shoots the page at phone width too; answers how far it scrolls sideways there (0: not at all). */
const phoneShot = async (name: string) => {
  await page.setViewport(PHONE);
  await new Promise((r) => setTimeout(r, 200));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot(`${name}-phone`);
  await page.setViewport(DESKTOP);
  return overflow;
};

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startStack({ db: 'pglite' });
  const chromium = await findChromium(process.env.CHROMIUM_PATH);
  if ('missing' in chromium) throw new Error(chromium.missing);
  browser = await puppeteer.launch({ executablePath: chromium.path, userDataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'assay-chrome-')), args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.setViewport(DESKTOP);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test('the API serves the built app: strict CSP, app routes fall back to index.html, hashed assets cached, API routes untouched', async () => {
  const root = await fetch(stack.base + '/');
  expect(root.status).toBe(200);
  expect(root.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
  expect(WEB_APP_CSP).toContain("script-src 'self';");
  const html = await root.text();
  expect(html).not.toMatch(/<script>/); // no inline script: every script is a file from this origin
  expect(html).toContain(`content="${stack.env.TEMPORAL_UI_URL}/namespaces/default/workflows/"`);

  const deep = await fetch(stack.base + '/app/runs/00000000-0000-4000-8000-000000000000');
  expect(deep.status).toBe(200);
  expect(await deep.text()).toBe(html);

  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
  const js = await fetch(stack.base + script);
  expect(js.status).toBe(200);
  expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const css = await fetch(stack.base + /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]);
  expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');

  const missing = await fetch(stack.base + '/assets/nope.js');
  expect(missing.status).toBe(404);
  expect((await missing.json()).error.code).toBe('NOT_FOUND');
  expect((await fetch(stack.base + '/assets/..%2Findex.html')).status).toBe(404);

  // The API's own routes answer as before: JSON, not the app.
  const runs = await fetch(stack.base + '/runs', { headers: { accept: 'text/html' } });
  expect(runs.status).toBe(401);
  expect(runs.headers.get('content-type')).toContain('application/json');
  const doc = await (await fetch(stack.base + '/openapi.json')).json() as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths).filter((p) => p.startsWith('/app') || p.startsWith('/assets'))).toEqual([]);
});

test('a person registers, uploads, starts a run, answers its question, sees the leaderboard and the report, and predicts', async () => {
  await page.goto(stack.base + '/');
  await page.waitForSelector('#switch-mode');
  await shot('sign-in-desktop');
  await page.click('#switch-mode');
  await page.type('#name', 'Grace');
  await page.type('#email', 'grace@example.com');
  await page.type('#password', 'a long password');
  await page.click('#submit');
  await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'grace@example.com');

  // Upload: the file input inside the drop zone; the app goes to the dataset page when the upload is in.
  const input = await page.$('#file');
  await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(VEGA('cars.json'));
  await page.waitForSelector('table caption', { timeout: 30_000 });
  expect(page.url()).toMatch(/\/app\/datasets\/[\w-]+$/);
  const datasetUrl = page.url();
  const headers = await page.$$eval('table thead th', (ths) => ths.map((t) => t.textContent));
  expect(headers).toEqual(expect.arrayContaining(['Name', 'Miles_per_Gallon', 'Origin', 'Acceleration']));
  expect(await page.$$eval('table tbody tr', (rows) => rows.length)).toBe(10);
  // Every form control has a label.
  const unlabeled = await page.$$eval('input, select', (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id || (e as HTMLInputElement).name));
  expect(unlabeled).toEqual([]);
  await shot('dataset-desktop');
  expect(await phoneShot('dataset')).toBeLessThanOrEqual(0);

  // Start with the defaults: cars.json has no clear target, so the run asks, with the ranked suggestions.
  await page.click('#start-run');
  await page.waitForSelector('#clarify', { timeout: 60_000 });
  expect(page.url()).toMatch(/\/app\/runs\/[\w-]+$/);
  const options = await page.$$eval('#clarify input[name=target]', (els) => els.map((e) => (e as HTMLInputElement).value));
  expect(options[0]).toBe('Origin');
  expect(await page.$eval('#question-message', (e) => e.textContent)).toBeTruthy();
  await shot('question-desktop');
  expect(await phoneShot('question')).toBeLessThanOrEqual(0);
  await page.click('#clarify input[value=Acceleration]');
  await page.click('#answer');

  // Live over SSE: log lines arrive and the run completes; then the leaderboard and the inline report.
  await page.waitForSelector('#leaderboard', { timeout: 90_000 });
  expect(await page.$eval('#run-status', (e) => e.textContent)).toContain('completed');
  expect(await page.$$eval('#log li', (lis) => lis.length)).toBeGreaterThan(3);
  const board = await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  expect(board.length).toBeGreaterThan(1);
  for (const [, mean, std] of board) { expect(Number(mean)).not.toBeNaN(); expect(Number(std)).not.toBeNaN(); }
  expect(await page.$eval('#leaderboard caption', (e) => e.textContent)).toContain('Acceleration');
  expect(await page.$eval('#trust', (e) => e.textContent)).toMatch(/Trust this one|no held-out test split/);
  await page.waitForSelector('#report');
  expect(await page.$eval('#report', (f) => f.getAttribute('sandbox'))).toBe('');
  const reportFrame = (await (await page.$('#report'))!.contentFrame())!;
  await reportFrame.waitForSelector('h1');
  expect(await reportFrame.$eval('body', (b) => b.textContent)).toContain('Acceleration');
  expect(await page.$$eval('#artifacts a', (as) => as.map((a) => a.textContent))).toEqual(expect.arrayContaining(['report.html', 'result.json']));
  const temporal = await page.$eval('a[href*="/workflows/"]', (a) => (a as HTMLAnchorElement).href);
  expect(temporal).toContain(`${stack.env.TEMPORAL_UI_URL}/namespaces/default/workflows/`);
  await shot('run-desktop');
  expect(await phoneShot('run')).toBeLessThanOrEqual(0);

  // The best model's page: a form generated from its schema; predict one row.
  await page.click('#model-link');
  await page.waitForSelector('#predict');
  const fields = await page.$$eval('#predict [name]', (els) => els.map((e) => (e as HTMLInputElement).name));
  expect(fields).toEqual(expect.arrayContaining(['Horsepower', 'Weight_in_lbs']));
  expect(fields).not.toContain('Acceleration');
  await page.type('#predict [name=Horsepower]', '130');
  await page.type('#predict [name=Weight_in_lbs]', '3500');
  await page.click('#predict-submit');
  await page.waitForSelector('#prediction strong');
  const predicted = Number(await page.$eval('#prediction strong', (e) => e.textContent));
  expect(predicted).toBeGreaterThan(5);
  expect(predicted).toBeLessThan(30); // seconds from 0 to 60 mph: the data's range is 8–24.8
  // Batch scoring as a predict job: a CSV uploaded, then scored in the background; progress, then the file's link.
  const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-web-')), 'rows.csv');
  fs.writeFileSync(csv, 'Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Year,Origin\n'
    + ',,,130,3500,,\n18,8,307,130,3504,1970-01-01,USA\n31,4,91,68,1970,1982-01-01,Japan\n');
  await (await page.$('#batch-file') as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(csv);
  await page.waitForSelector('#job-download', { timeout: 60_000 });
  expect(await page.$eval('#batch-done', (e) => e.textContent)).toContain('3 rows scored');
  expect(await page.$eval('#batch-progress', (e) => (e as HTMLProgressElement).value)).toBe(100);
  // The link is the artifact's signed address: the file itself, one row per data row, in order.
  const file = await (await fetch(await page.$eval('#job-download', (a) => (a as HTMLAnchorElement).href))).text();
  const [head, ...lines] = file.trim().split('\n');
  expect(head.split(',').slice(0, 2)).toEqual(['row_number', 'prediction']);
  expect(lines.map((l) => l.split(',')[0])).toEqual(['1', '2', '3']);
  expect(Number(lines[0].split(',')[1])).toBeCloseTo(predicted, 3);
  // A longer job (cars.json 500 times over, 203,000 rows, 10,000 explained: seconds of work even with fast
  // explanations; 25 times over had finished before the click landed) picked from the list, cancelled from the page.
  const cars = JSON.parse(fs.readFileSync(VEGA('cars.json'), 'utf8')) as Record<string, unknown>[];
  const names = Object.keys(cars[0]);
  const carsCsv = cars.map((r) => names.map((n) => (r[n] === null ? '' : typeof r[n] === 'string' ? `"${String(r[n])}"` : String(r[n]))).join(',')).join('\n');
  const owner = new ApiClient(stack.base, await page.evaluate(() => sessionStorage.getItem('assay_token')!));
  const many = await owner.upload('cars-500x.csv', [names.join(','), ...Array.from({ length: 500 }, () => carsCsv)].join('\n') + '\n');
  expect(many.status).toBe(201);
  await page.reload();
  await page.waitForSelector(`#batch-dataset option[value="${many.body.dataset_id}"]`);
  await page.select('#batch-dataset', many.body.dataset_id);
  await page.click('#batch-explain');
  await page.click('#batch-start');
  await page.waitForSelector('#batch-cancel', { timeout: 30_000 });
  await page.click('#batch-cancel');
  await page.waitForFunction(() => document.querySelector('label[for=batch-progress]')?.textContent?.endsWith('cancelled'), { timeout: 30_000 })
    .catch(async (e: unknown) => { throw new Error(`${String(e)}; the section says: ${await page.$eval('#batch-form', (f) => f.parentElement!.textContent)}`); });
  expect(await page.$('#batch-cancel')).toBeNull();
  expect(await page.$('#job-download')).toBeNull();
  await shot('model-desktop');
  expect(await phoneShot('model')).toBeLessThanOrEqual(0);

  // The same prediction through the API: the form sent the row it showed.
  const api = new ApiClient(stack.base, await page.evaluate(() => sessionStorage.getItem('assay_token')!));
  const modelId = page.url().split('/').at(-1)!;
  const direct = await api.post(`/models/${modelId}/predict`, { rows: [{ ...Object.fromEntries(fields.map((f) => [f, null])), Horsepower: 130, Weight_in_lbs: 3500 }] });
  expect(direct.status).toBe(200);
  expect(direct.body.predictions[0]).toBeCloseTo(predicted, 3);

  // Back on the dataset, its profile (from the completed run) lists the alerts the report found.
  await page.goto(datasetUrl);
  await page.waitForSelector('#alerts li');
  const alerts = await page.$$eval('#alerts li', (lis) => lis.map((li) => li.textContent));
  expect(alerts.some((a) => a!.includes('HIGH_CORRELATION'))).toBe(true);
  expect(consoleErrors.join('\n')).toBe('');
}, 240_000);

test('an API error is shown as its message, announced to screen readers', async () => {
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(stack.base + '/');
  await page.waitForSelector('#email');
  await page.type('#email', 'grace@example.com');
  await page.type('#password', 'wrong password!');
  await page.click('#submit');
  await page.waitForSelector('[role=alert]');
  expect(await page.$eval('[role=alert]', (e) => e.textContent)).toBe('Wrong email or password.');
  // Chrome logs the refused login (401) as a console error itself; that one is expected, none after it.
  expect(consoleErrors).toEqual([expect.stringMatching(/status of 401/)]);
  consoleErrors.length = 0;
});

const signIn = async (email: string, password: string) => {
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(stack.base + '/');
  await page.waitForSelector('#email');
  await page.type('#email', email);
  await page.type('#password', password);
  await page.click('#submit');
  await page.waitForFunction((e) => document.querySelector('#who')?.textContent === e, {}, email);
};

test('a run waiting for its answer can be cancelled from its page; the timeline says so', async () => {
  await signIn('grace@example.com', 'a long password');
  await page.waitForSelector('#dataset-list a');
  await page.click('#dataset-list a');
  await page.waitForSelector('#start-run');
  await page.click('#start-run');
  await page.waitForSelector('#cancel', { timeout: 60_000 });
  await page.waitForSelector('#clarify', { timeout: 60_000 });
  await page.click('#cancel');
  await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('cancelled'), { timeout: 30_000 });
  expect(await page.$('#cancel')).toBeNull();
  expect(await page.$('#clarify')).toBeNull();
  const runId = page.url().split('/').at(-1)!;
  const api = new ApiClient(stack.base, await page.evaluate(() => sessionStorage.getItem('assay_token')!));
  expect((await api.get(`/runs/${runId}/status`)).body.status).toBe('cancelled');
}, 120_000);

test('skipping the question finishes the run with the profile and the report, and no leaderboard', async () => {
  await page.goto(stack.base + '/');
  await page.waitForSelector('#dataset-list a');
  await page.click('#dataset-list a');
  await page.waitForSelector('#start-run');
  await page.click('#start-run');
  await page.waitForSelector('#skip', { timeout: 60_000 });
  await page.click('#skip');
  await page.waitForSelector('#report', { timeout: 90_000 });
  expect(await page.$eval('#run-status', (e) => e.textContent)).toContain('completed');
  expect(await page.$('#leaderboard')).toBeNull();
  expect(await page.$$eval('#alerts li', (lis) => lis.length)).toBeGreaterThan(0);
}, 150_000);

test('an admin gets the admin pages (every user); a plain user has no link to them and no page there', async () => {
  expect(await page.$$eval('nav a', (as) => as.map((a) => a.textContent))).not.toContain('Admin');
  await page.goto(stack.base + '/app/admin');
  await page.waitForSelector('main p');
  expect(await page.$eval('main', (m) => m.textContent)).toContain('There is no page at /app/admin');

  const other = new ApiClient(stack.base);
  await other.register('ada@example.com', 'Ada');
  await stack.db.updateTable('users').set({ role: 'admin' }).where('email', '=', 'grace@example.com').execute();
  await new Promise((r) => setTimeout(r, 2100)); // the API takes a user's role as known for 2 s (api/auth.ts)
  await signIn('grace@example.com', 'a long password');
  await page.waitForSelector('nav a[href="/app/admin"]');
  await page.click('nav a[href="/app/admin"]');
  await page.waitForSelector('table caption');
  const emails = await page.$$eval('table tbody td', (tds) => tds.map((td) => td.textContent));
  expect(emails).toEqual(expect.arrayContaining(['grace@example.com', 'ada@example.com']));
  await shot('admin-desktop');
  expect(await phoneShot('admin')).toBeLessThanOrEqual(0);
  expect(consoleErrors.join('\n')).toBe('');
});

/** A fresh user with cars.json uploaded through the API, signed in on the page (the token set as the app sets it). */
const freshUserWithCars = async () => {
  const api = new ApiClient(stack.base);
  await api.register();
  const up = await api.uploadFile(VEGA('cars.json'));
  expect(up.status).toBe(201);
  await page.goto(stack.base + '/');
  await page.evaluate((t) => sessionStorage.setItem('assay_token', t), api.token!);
  return { api, datasetId: up.body.dataset_id as string };
};
/** Console errors other than the ones Chrome logs itself for an API answer of `status` the test asked for. */
const unexpectedConsoleErrors = (status: number) => consoleErrors.filter((e) => !e.includes(`status of ${status}`));

test('the Ask box answers in a table with the interpretation, ignored words, the SQL and a vega-lite chart; a 422 offers phrasings to click', async () => {
  consoleErrors.length = 0;
  const { api, datasetId } = await freshUserWithCars();
  await page.goto(`${stack.base}/app/datasets/${datasetId}`);
  await page.waitForSelector('#ask-question');
  await page.type('#ask-question', 'average horsepower by origin');
  await page.click('#ask-submit');
  await page.waitForSelector('#ask-interpretation', { timeout: 30_000 });
  const direct = await api.post(`/datasets/${datasetId}/ask`, { question: 'average horsepower by origin' });
  expect(direct.status).toBe(200);
  expect(await page.$eval('#ask-interpretation', (e) => e.textContent)).toContain(direct.body.interpretation);
  const rows = await page.$$eval('[aria-label^="Answer:"] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  // Averages show 6 significant digits; the cell's title holds the whole value.
  const six = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v));
  expect(rows).toEqual(direct.body.rows.map((r: Record<string, unknown>) => direct.body.columns.map((c: string) => six(r[c]))));
  expect(direct.body.rows.some((r: Record<string, unknown>) => Object.values(r).some((v) => typeof v === 'number' && String(v).length > 8))).toBe(true);
  const titles = await page.$$eval('[aria-label^="Answer:"] tbody td[title]', (tds) => tds.map((td) => td.getAttribute('title')));
  expect(titles.length).toBeGreaterThan(0);
  expect(rows.map((r) => r[0]).sort()).toEqual(['Europe', 'Japan', 'USA']);
  // The chart: vega-lite compiled and drawn by vega (in the worker), shown as an SVG image with a text alternative.
  await page.waitForSelector('#ask-chart, .chart .error', { timeout: 30_000 });
  expect(await page.$eval('.chart', (e) => e.textContent)).toBe('');
  const chart = await page.$eval('#ask-chart', (img) => ({ src: (img as HTMLImageElement).src, alt: img.getAttribute('alt'), w: (img as HTMLImageElement).naturalWidth }));
  expect(chart.alt).toContain('Average Horsepower');
  expect(chart.w).toBeGreaterThan(100);
  const svg = decodeURIComponent(chart.src.replace(/^data:image\/svg\+xml;charset=utf-8,/, ''));
  expect(svg).toMatch(/^<svg/);
  // Only the chart worker may eval (vega compiles expressions with Function); the page's own policy is unchanged.
  const workerUrl = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('/assets/chart-worker-'))!);
  expect((await fetch(workerUrl)).headers.get('content-security-policy')).toBe(WEB_CHART_WORKER_CSP);
  expect(WEB_APP_CSP).not.toContain('unsafe-eval');
  for (const origin of ['USA', 'Europe', 'Japan']) expect(svg).toContain(`>${origin}<`); // the bars' axis labels
  // The SQL is folded away until asked for, and is the SQL that ran.
  expect(await page.$eval('#ask-sql', (d) => (d as HTMLDetailsElement).open)).toBe(false);
  await page.click('#ask-sql summary');
  expect(await page.$eval('#ask-sql pre', (e) => e.textContent)).toBe(direct.body.sql);
  await shot('ask-desktop');
  await (await page.$('section[aria-labelledby=ask-title]'))!.screenshot({ path: path.join(SHOTS, 'ask-section.png') });
  expect(await phoneShot('ask')).toBeLessThanOrEqual(0);

  // A word it does not understand is shown, not dropped in silence.
  await page.$eval('#ask-question', (e) => { (e as HTMLInputElement).value = ''; });
  await page.type('#ask-question', 'average weight of american cars');
  await page.click('#ask-submit');
  await page.waitForSelector('#ask-ignored', { timeout: 30_000 });
  expect(await page.$eval('#ask-ignored', (e) => e.textContent)).toContain('american');

  // A question it cannot read: the API's 422 message, and its `try` phrasings as buttons that ask them.
  await page.$eval('#ask-question', (e) => { (e as HTMLInputElement).value = ''; });
  await page.type('#ask-question', 'florp the wibbles');
  await page.click('#ask-submit');
  await page.waitForSelector('#ask-tries button', { timeout: 30_000 });
  const refused = await api.post(`/datasets/${datasetId}/ask`, { question: 'florp the wibbles' });
  expect(refused.status).toBe(422);
  expect(await page.$eval('[role=alert]', (e) => e.textContent)).toBe(refused.body.error.message);
  const tries = await page.$$eval('#ask-tries button', (bs) => bs.map((b) => b.textContent));
  expect(tries).toEqual(refused.body.error.details.try);
  await page.click('#ask-tries button');
  await page.waitForSelector('#ask-interpretation', { timeout: 30_000 });
  expect(await page.$eval('#ask-question', (e) => (e as HTMLInputElement).value)).toBe(tries[0]);
  expect(await page.$('#ask-tries')).toBeNull();
  // A word where a column belongs that names none: the nearest column names are shown.
  await page.$eval('#ask-question', (e) => { (e as HTMLInputElement).value = ''; });
  await page.type('#ask-question', 'average Profit by origin');
  await page.click('#ask-submit');
  await page.waitForSelector('#ask-near', { timeout: 30_000 });
  const near = (await api.post(`/datasets/${datasetId}/ask`, { question: 'average Profit by origin' })).body.error.details as { column: string; near: string[] };
  expect(near.column.toLowerCase()).toBe('profit');
  expect(await page.$$eval('#ask-near code', (cs) => cs.map((c) => c.textContent))).toEqual([near.column, ...near.near]);
  expect(unexpectedConsoleErrors(422).join('\n')).toBe('');
}, 90_000);

test('suggested steps can be kept or dropped; Apply runs the pipeline with a live log, each step\'s effect, and a new version in the lineage', async () => {
  consoleErrors.length = 0;
  const { api, datasetId } = await freshUserWithCars();
  await page.goto(`${stack.base}/app/datasets/${datasetId}`);
  await page.waitForSelector('#suggestions input[type=checkbox]', { timeout: 60_000 });
  const suggested = (await api.get(`/datasets/${datasetId}/suggestions`)).body.steps as { step: string; column?: string; reason: string }[];
  expect(suggested.length).toBeGreaterThan(1);
  const shown = await page.$$eval('#suggestions li', (lis) => lis.map((li) => li.textContent));
  expect(shown).toHaveLength(suggested.length);
  for (const [i, s] of suggested.entries()) { expect(shown[i]).toContain('confidence'); expect(shown[i]).toContain(s.reason); }
  // Untick the first suggestion: the pipeline applies the others, in order.
  await page.click('#step-0');
  const kept = suggested.slice(1).map((s) => ({ step: s.step, column: s.column ?? null }));
  await page.click('#apply-steps');
  await page.waitForSelector('#new-version a', { timeout: 90_000 });
  expect(await page.$eval('#pipeline-status', (e) => e.textContent)).toContain('completed');
  expect(await page.$$eval('#pipeline-log li', (lis) => lis.length)).toBeGreaterThanOrEqual(kept.length);
  expect(await page.$$eval('[aria-label="What each step did"] tbody tr', (trs) => trs.length)).toBe(kept.length);
  // The lineage, on the page and through the API: version 2 was made by exactly the kept steps.
  await page.waitForFunction(() => document.querySelectorAll('#versions li').length === 2, { timeout: 10_000 });
  const versions = (await api.get(`/datasets/${datasetId}/versions`)).body.items as { id: string; version: number; steps: { step: string; column?: string | null }[] | null }[];
  const v2 = versions.find((v) => v.version === 2)!;
  expect(v2.steps!.map((s) => ({ step: s.step, column: s.column ?? null }))).toEqual(kept);
  expect(await page.$eval('#new-version a', (a) => a.getAttribute('href'))).toBe(`/app/datasets/${v2.id}`);
  await shot('pipeline-desktop');
  expect(await phoneShot('pipeline')).toBeLessThanOrEqual(0);
  await page.click('#new-version a');
  await page.waitForFunction(() => document.querySelector('#versions [aria-current=page]')?.textContent?.includes('Version 2'), { timeout: 30_000 });
  expect(consoleErrors.join('\n')).toBe('');
}, 150_000);

test('two datasets compared from the list: the drifted columns, every column\'s figures, and the report inline', async () => {
  consoleErrors.length = 0;
  const { api, datasetId } = await freshUserWithCars();
  // B: the same cars with half as much horsepower again, so that column (and only what follows from it) drifts.
  const cars = JSON.parse(fs.readFileSync(VEGA('cars.json'), 'utf8')) as Record<string, unknown>[];
  const heavier = cars.map((c) => ({ ...c, Horsepower: typeof c.Horsepower === 'number' ? c.Horsepower * 1.5 : c.Horsepower }));
  const up = await api.upload('cars-tuned.json', JSON.stringify(heavier));
  expect(up.status).toBe(201);
  await page.goto(`${stack.base}/app/datasets`);
  await page.waitForSelector('#compare-a');
  await page.select('#compare-a', datasetId);
  await page.select('#compare-b', up.body.dataset_id);
  await page.click('#compare-submit');
  await page.waitForSelector('#compare-summary', { timeout: 90_000 });
  const direct = await api.post('/datasets/compare', { dataset_a: datasetId, dataset_b: up.body.dataset_id });
  expect(direct.status).toBe(200);
  expect(direct.body.summary.drifted_columns).toContain('Horsepower');
  const summary = await page.$eval('#compare-summary', (e) => e.textContent);
  expect(summary).toContain(`${direct.body.summary.drifted} of ${direct.body.summary.columns_compared} columns drifted`);
  expect(summary).toContain(direct.body.summary.drifted_columns.join(', '));
  const rows = await page.$$eval('[aria-label^="Every column compared"] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  expect(rows).toHaveLength(direct.body.summary.columns_compared);
  expect(rows[0][1]).toBe('yes'); // drifted first
  await page.click('#compare-show-report');
  await page.waitForSelector('#compare-report');
  expect(await page.$eval('#compare-report', (f) => f.getAttribute('sandbox'))).toBe('');
  const frame = (await (await page.$('#compare-report'))!.contentFrame())!;
  await frame.waitForSelector('body');
  expect(await frame.$eval('body', (b) => b.textContent)).toContain('Horsepower');
  await shot('compare-desktop');
  expect(await phoneShot('compare')).toBeLessThanOrEqual(0);
  expect(consoleErrors.join('\n')).toBe('');
}, 150_000);
