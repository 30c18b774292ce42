// /docs is Scalar's API reference served entirely from the API: the page, its script (no CDN) and the document.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findChromium } from '../../analysis/report/find-chromium.js';
import { CHROMIUM_ARGS } from '../../analysis/report/render-pdf.js';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ db: 'pglite' }); });
afterAll(async () => { await stack?.close(); });

test('/docs loads the viewer from this API, under a CSP that allows only this origin', async () => {
  const r = await new ApiClient(stack.base).get('/docs');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  expect(r.text).toContain('<script src="/docs/scalar.js"></script>');
  expect(r.text).toContain("url: '/openapi.json'");
  expect(r.text).not.toMatch(/https?:\/\//); // nothing from a CDN
  const csp = r.headers.get('content-security-policy')!;
  expect(csp).toMatch(/script-src 'self' 'sha256-[^']+'; /);
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/unsafe-eval|\*/);
});

test('/docs/scalar.js answers the bundle as JavaScript, gzipped, cached and revalidated by ETag', async () => {
  const r = await fetch(`${stack.base}/docs/scalar.js`, { headers: { 'accept-encoding': 'gzip' } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(r.headers.get('content-encoding')).toBe('gzip');
  expect(r.headers.get('cache-control')).toBe('public, max-age=86400');
  const js = Buffer.from(await r.arrayBuffer()); // fetch inflates it
  expect(js.equals(fs.readFileSync('node_modules/@scalar/api-reference/dist/browser/standalone.js'))).toBe(true);
  // node:http, because fetch adds `Cache-Control: no-cache` to a conditional request; a browser revalidating does not.
  const again = await new Promise<number>((resolve, reject) => {
    http.get(`${stack.base}/docs/scalar.js`, { headers: { 'if-none-match': r.headers.get('etag')! } }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
  });
  expect(again).toBe(304);
  const plain = await fetch(`${stack.base}/docs/scalar.js`, { headers: { 'accept-encoding': 'identity' } });
  expect(plain.headers.get('content-encoding')).toBeNull();
  expect(Number(plain.headers.get('content-length'))).toBe(js.length);
});

test('in a real Chromium, /docs renders the reference and tries a request, with no CSP violation and no request leaving the API', async () => {
  const found = await findChromium(process.env.CHROMIUM_PATH);
  if ('missing' in found) throw new Error(found.missing);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-docs-'));
  const browser = await puppeteer.launch({ executablePath: found.path, userDataDir: profile, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (req) => { if (!req.url().startsWith(stack.base) && !/^(data|blob):/.test(req.url())) elsewhere.push(req.url()); });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${stack.base}/docs`, { waitUntil: 'networkidle0', timeout: 60_000 });
    await page.waitForFunction(() => document.body.innerText.includes('Create an account'), { timeout: 30_000 });
    const text = await page.evaluate(() => document.body.innerText);
    for (const tag of ['auth', 'system', 'projects', 'datasets', 'runs', 'models', 'reports', 'admin']) expect(text).toMatch(new RegExp(`^${tag}$`, 'm'));
    expect(text).toContain('Bearer Token'); // the bearer scheme is offered for try-it-out
    fs.mkdirSync('.test-run/artifacts', { recursive: true });
    await page.screenshot({ path: '.test-run/artifacts/docs.png' });

    // Try it out: the first operation (POST /auth/register) with Scalar's empty example goes to this API and its
    // 400 in the error shape is shown.
    const [tryIt] = await page.$$('xpath/.//button[contains(., "Test Request")]');
    await tryIt.click();
    const sent = page.waitForResponse((res) => res.url() === `${stack.base}/auth/register` && res.request().method() === 'POST');
    const [send] = await page.$$('xpath/.//button[contains(., "Send post request")]');
    await send.click();
    expect((await sent).status()).toBe(400);
    await page.waitForFunction(() => document.body.innerText.includes('VALIDATION_ERROR'), { timeout: 10_000 });
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.screenshot({ path: '.test-run/artifacts/docs-try-it-out.png' });
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
