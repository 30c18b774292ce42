// Small shared pieces: an error line, a loader for one API call, a data table.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { messageOf } from './api.js';

/** An error the person should read: announced by screen readers. */
export function ErrorLine({ error }: { error: string | null }) {
  return error ? <p class="error" role="alert">{error}</p> : null;
}

/** Loads `fn()` when `deps` change; `reload` fetches again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    fn().then((d) => { if (live) setData(d); }, (e: unknown) => { if (live) setError(messageOf(e)); });
    return () => { live = false; };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload };
}

const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
/** Numbers with a fraction to 6 significant digits (an average of 3 ratings is not 7.266666666666667); the title keeps the whole value. */
const shown = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : cell(v));

/** One cell: the shown value, and the whole one in its title when the two differ. */
function Cell({ value }: { value: unknown }) {
  const full = cell(value), short = shown(value);
  return <td title={short === full ? undefined : full}>{short}</td>;
}

/** A scrollable table of rows under a caption. */
export function Table({ caption, columns, rows }: { caption: string; columns: string[]; rows: Record<string, unknown>[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead><tr>{columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
        <tbody>{rows.map((r, i) => <tr key={i}>{columns.map((c) => <Cell key={c} value={r[c]} />)}</tr>)}</tbody>
      </table>
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return <section class="card" aria-labelledby={id ?? undefined}><h2 id={id}>{title}</h2>{children}</section>;
}

export const fmt = (n: number | null | undefined, digits = 4) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Number(n.toPrecision(digits)).toString());
export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
