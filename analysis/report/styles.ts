import type { Theme } from './theme.js';

/**
 * The report's one stylesheet, inline in the page: theme colours as custom properties, readable widths,
 * tables that scroll inside their box instead of widening the page, and print rules for the PDF.
 */
export function reportCss(t: Theme): string {
  return `:root{--primary:${t.primary};--accent:${t.accent};--bg:${t.bg};--surface:${t.surface};--text:${t.text};--muted:${t.muted};--ok:${t.ok};--warn:${t.warn};--error:${t.error};--line:#d5dbe1}
*{box-sizing:border-box}
body{font-family:${t.fontFamily};color:var(--text);background:var(--bg);margin:0 auto;max-width:1120px;padding:1.5rem;line-height:1.5;font-size:15px}
a{color:var(--primary)}a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
header.top{display:flex;gap:1rem;align-items:center;border-bottom:3px solid var(--primary);padding-bottom:.75rem}
header.top img{max-height:56px;max-width:200px}
h1{color:var(--primary);margin:.2rem 0;font-size:1.8rem;overflow-wrap:anywhere}
h2{color:var(--text);border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2.2rem}
h3{margin:.2rem 0;font-size:1.05rem;overflow-wrap:anywhere}
.sub{color:var(--muted);margin:0}
nav.toc{background:var(--surface);border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
nav.toc h2{margin-top:.3rem;border:0}nav.toc ol{columns:2;margin:.3rem 0}
.findings li{margin:.25rem 0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
td,th{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--surface)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0}
.scroll{overflow-x:auto;max-width:100%}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1rem}
.card{background:var(--surface);border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;min-width:0}
.card .type{color:var(--muted);font-weight:normal;font-size:.85rem}
.card dl{display:grid;grid-template-columns:auto 1fr auto 1fr;gap:0 .6rem;margin:.3rem 0;font-size:.85rem}
.card dt{color:var(--muted)}.card dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
figure{margin:.6rem 0}figure svg{max-width:100%;height:auto}figcaption{color:var(--muted);font-size:.85rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:flex-start}
.badge{display:inline-block;border:1px solid currentColor;border-radius:4px;padding:0 .35rem;font-size:.75rem;font-weight:600;margin-right:.3rem}
.warn{color:var(--warn)}.error{color:var(--error)}.ok{color:var(--ok)}
.note{color:var(--muted);font-style:italic}
footer{margin-top:2.5rem;border-top:1px solid var(--line);padding-top:.75rem;color:var(--muted);font-size:.85rem}
footer dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}footer dd{margin:0;overflow-wrap:anywhere}
code{font-size:.85em;overflow-wrap:anywhere}
@media print{
  body{max-width:none;padding:0;font-size:11pt}
  nav.toc{break-after:page}
  h2{break-after:avoid}
  .card,figure,table,tr{break-inside:avoid}
  .cards{grid-template-columns:1fr 1fr;gap:.5rem}.card{break-inside:avoid}
  .scroll{overflow:visible}
  table{width:100%;table-layout:fixed}
  a{color:inherit;text-decoration:none}
}
@page{size:A4;margin:18mm 12mm}`;
}
