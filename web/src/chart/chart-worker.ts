// Renders a vega-lite spec to an SVG string, off the page. Vega compiles its expressions with `Function`, which the
// page's CSP (`script-src 'self'`, no 'unsafe-eval') forbids; a dedicated worker loaded from this origin runs under
// the policy of its own script response instead, and it has neither the DOM nor the session's token.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartRequest { id: number; spec: unknown; width: number }
export type ChartReply = { id: number; svg: string } | { id: number; error: string };

self.onmessage = async (e: MessageEvent<ChartRequest>) => {
  const { id, spec, width } = e.data;
  try {
    // The API's chart is a vega-lite spec with its data inline; the width follows the space on the page.
    const vl = { ...(spec as object), width: Math.max(200, width - 120), autosize: { type: 'fit-x', contains: 'padding' } } as TopLevelSpec;
    const view = new View(parse(compile(vl).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    (self as unknown as Worker).postMessage({ id, svg } satisfies ChartReply);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies ChartReply);
  }
};
