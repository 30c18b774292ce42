import { expect, test } from 'vitest';
import { findChromium } from '../../../analysis/report/find-chromium.js';
import { renderReportPdf } from '../../../analysis/report/render-pdf.js';

test('with no system Chromium, the npm build is unpacked and prints a PDF (a fresh machine without apt)', async () => {
  const found = await findChromium(undefined, []);
  expect(found).toEqual({ path: expect.any(String) });
  const path = (found as { path: string }).path;
  expect(path).not.toMatch(/^\/usr\/bin\//);
  const out = await renderReportPdf('<!doctype html><h1>Report</h1><p>text</p>', { chromiumPath: path, title: 'T' });
  expect(out.warning).toBeNull();
  expect(Buffer.from(out.pdf!).subarray(0, 5).toString('latin1')).toBe('%PDF-');
}, 120_000);

test('a configured path that is not there is named in the reason; unset prefers the system build', async () => {
  expect(await findChromium('/nonexistent/chromium')).toEqual({ missing: expect.stringMatching(/not found at \/nonexistent\/chromium/) });
  expect(await findChromium(undefined, ['/bin/sh'])).toEqual({ path: '/bin/sh' }); // any executable on the list wins before npm
});
