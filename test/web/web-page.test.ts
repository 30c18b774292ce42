// The small web page for people, driven in real headless Chromium: sign up, upload, answer the question, download.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let stack: Stack;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack({ db: 'pglite' });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'assay-chrome-')),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test('a person signs up, uploads a table, answers the question and gets download links', async () => {
  await page.goto(stack.base + '/');
  await page.type('#name', 'Grace');
  await page.type('#email', 'grace@example.com');
  await page.type('#password', 'a long password');
  await page.click('#register');
  await page.waitForFunction(() => document.querySelector('#who')!.textContent!.includes('grace@example.com'));

  const input = await page.$('#file');
  await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(VEGA('cars.json'));
  await page.click('#go');
  // cars.json has no clear target: the page shows the question with one button per option.
  await page.waitForSelector('#question button', { timeout: 60_000 });
  const options = await page.$$eval('#question button', (bs) => bs.map((b) => b.textContent));
  expect(options[0]).toMatch(/^Origin \(/);
  await page.evaluate(() => {
    const b = [...document.querySelectorAll('#question button')].find((x) => x.textContent!.startsWith('Acceleration'));
    (b as HTMLButtonElement).click();
  });
  await page.waitForSelector('#links a', { timeout: 60_000 });
  expect(await page.$eval('#status', (e) => e.textContent)).toContain('"status": "completed"');
  const links = await page.$$eval('#links a', (as) => as.map((a) => ({ text: a.textContent, href: (a as HTMLAnchorElement).href })));
  expect(links.map((l) => l.text)).toEqual(expect.arrayContaining(['report.html', 'result.json']));
  const report = links.find((l) => l.text === 'report.html')!;
  expect((await fetch(report.href)).status).toBe(200);
  expect(consoleErrors).toEqual([]);
}, 120_000);

test('an error from the API is shown as its message', async () => {
  await page.goto(stack.base + '/');
  await page.type('#email', 'grace@example.com');
  await page.type('#password', 'wrong password!');
  await page.click('#login');
  await page.waitForFunction(() => document.querySelector('#status')!.textContent === 'Wrong email or password.');
});
