import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { escapeHtml } from './escape.js';
import { findChromium } from './find-chromium.js';

/** Flags for a headless Chromium that makes no connection of its own (this machine's network is closed). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export type PdfOutcome = { pdf: Uint8Array; warning: null } | { pdf: null; warning: string };

/**
 * Prints the HTML report to an A4 PDF in Chromium (see `findChromium`), with the title in the header and page numbers
 * in the footer. Every network request is refused. Without Chromium it returns why instead of throwing,
 * so the report stage still completes with HTML only.
 * @example const { pdf, warning } = await renderReportPdf(page, { chromiumPath: '/usr/bin/chromium', title: 'Assay report' });
 */
export async function renderReportPdf(page: string, o: { chromiumPath?: string; title: string; timeoutMs?: number; signal?: AbortSignal }): Promise<PdfOutcome> {
  const found = await findChromium(o.chromiumPath);
  if ('missing' in found) return { pdf: null, warning: `No PDF was made: ${found.missing}. The HTML report is complete.` };
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-pdf-'));
  const timeout = o.timeoutMs ?? 120_000;
  let browser: Awaited<ReturnType<typeof puppeteer.launch>> | null = null;
  // Aborted (the activity was cancelled): Chromium is killed at once rather than left to finish the print.
  const kill = () => browser?.process()?.kill('SIGKILL');
  o.signal?.addEventListener('abort', kill, { once: true });
  try {
    browser = await puppeteer.launch({ executablePath: found.path, userDataDir: profile, args: CHROMIUM_ARGS, timeout });
    if (o.signal?.aborted) kill();
    const tab = await browser.newPage();
    await tab.setJavaScriptEnabled(false);
    await tab.setRequestInterception(true);
    tab.on('request', (req) => (req.url().startsWith('data:') ? req.continue() : req.abort('blockedbyclient')));
    await tab.setContent(page, { waitUntil: 'load', timeout });
    const small = 'font-size:8px;font-family:sans-serif;color:#555;width:100%;padding:0 12mm;';
    const pdf = await tab.pdf({
      format: 'A4', printBackground: true, displayHeaderFooter: true, timeout,
      margin: { top: '18mm', bottom: '16mm', left: '12mm', right: '12mm' },
      headerTemplate: `<div style="${small}display:flex;justify-content:space-between"><span>${escapeHtml(o.title)}</span><span class="date"></span></div>`,
      footerTemplate: `<div style="${small}text-align:center">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
    });
    return { pdf, warning: null };
  } catch (err) {
    return { pdf: null, warning: `No PDF was made: Chromium failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}). The HTML report is complete.` };
  } finally {
    o.signal?.removeEventListener('abort', kill);
    await browser?.close().catch(() => undefined);
    await fs.rm(profile, { recursive: true, force: true });
  }
}
