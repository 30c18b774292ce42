import { expect, test } from 'vitest';
import { escapeHtml, html } from '../../../analysis/report/escape.js';
import { renderReportHtml } from '../../../analysis/report/render-html.js';
import type { EdaResult } from '../../../analysis/profile/types.js';

const evil = '<script>alert(1)</script>';
const eda: EdaResult = {
  version: 1,
  dataset: { rows: 2, cols: 1, duplicate_rows: 0, missing_cells: 0, type_counts: { categorical: 1 } },
  columns: [{ name: evil, type: 'categorical', count: 2, missing: 0, missing_pct: 0, distinct: 2, unique_ratio: 1, min: null, max: null, mean: null, std: null,
    quantiles: null, skewness: null, kurtosis: null, zeros: null, negatives: null, histogram: null, top_values: [{ value: '"><img src=x onerror=alert(2)>', count: 1 }], avg_length: 5 }],
  correlations: { method: 'pearson', columns: [], matrix: [] },
  alerts: [{ kind: 'UNIQUE', column: evil, value: 1, message: `Every value of '${evil}' is distinct.` }],
  target_candidates: [],
};

test('escapeHtml and the html template escape every interpolation', () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  expect(html`<p>${evil}</p>`.value).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  expect(html`<ul>${[html`<li>${'<b>'}</li>`]}</ul>`.value).toBe('<ul><li>&lt;b&gt;</li></ul>');
});

test('hostile column names, values, file names and options render as text', () => {
  const page = renderReportHtml({
    title: `Report ${evil}`, dataset: { name: evil, filename: `${evil}.csv`, sha256: 'abc' }, eda, modeling: null, warnings: [evil],
    run: { run_id: 'r', workflow_id: 'run-r', temporal_ui_url: 'http://localhost:8233', namespace: 'default', options: { target: evil } },
    generatedAt: '2026-01-01T00:00:00Z',
  });
  expect(page.startsWith('<!doctype html>')).toBe(true);
  expect(page).not.toContain('<script>');
  expect(page).not.toContain('<img src=x');
  expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(page).toContain('http://localhost:8233/namespaces/default/workflows/run-r');
  expect(page).toMatch(/No model was trained/);
});
