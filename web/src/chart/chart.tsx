// A vega-lite chart from the API, drawn by vega in a worker (chart-worker.ts says why) and shown as an image.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChartReply, ChartRequest } from './chart-worker.js';

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (r: ChartReply) => void>();

/** Renders `spec` to SVG markup in the one shared chart worker (started on first use: vega is large). */
function renderSvg(spec: unknown, width: number): Promise<string> {
  if (!worker) {
    worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<ChartReply>) => { waiting.get(e.data.id)?.(e.data); waiting.delete(e.data.id); };
  }
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    waiting.set(id, (r) => ('svg' in r ? resolve(r.svg) : reject(new Error(r.error))));
    worker!.postMessage({ id, spec, width } satisfies ChartRequest);
  });
}

/**
 * The chart as an `<img>` of SVG: an image runs no script, so nothing in the data can reach the page.
 * `label` is the image's text alternative (the answer table beside it carries the numbers).
 */
export function VegaChart({ spec, label }: { spec: unknown; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setSrc(null);
    setError(null);
    renderSvg(spec, box.current?.clientWidth ?? 600).then(
      (svg) => { if (live) setSrc('data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg)); },
      (e: unknown) => { if (live) setError(`The chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`); },
    );
    return () => { live = false; };
  }, [spec]);
  return (
    <div class="chart" ref={box}>
      {src && <img id="ask-chart" src={src} alt={label} />}
      {!src && !error && <p class="hint">Drawing the chart…</p>}
      {error && <p class="error">{error}</p>}
    </div>
  );
}
