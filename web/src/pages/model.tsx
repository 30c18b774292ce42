import { useState } from 'preact/hooks';
import { api, messageOf, unwrap, type Answer } from '../api.js';
import { BatchScore } from './batch-score.js';
import { ErrorLine, Section, Table, fmt, useLoad } from '../ui.js';

/** A model input as `GET /models/{id}` describes it. */
interface Feature { name: string; type: string; categories?: string[]; missing_share?: number }
type Prediction = Answer<'predictWithModel'>;

const NUMERIC = new Set(['integer', 'float', 'boolean']);

/** One input row, typed per feature: numbers as numbers, empty as missing. */
function rowOf(features: Feature[], values: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const f of features) {
    const v = values[f.name] ?? '';
    row[f.name] = v === '' ? null : NUMERIC.has(f.type) && f.type !== 'boolean' ? Number(v) : f.type === 'boolean' ? v === 'true' : v;
  }
  return row;
}

/** The predict form, one field per feature of the model's schema (a list for categories it knows). */
function PredictForm({ id, features }: { id: string; features: Feature[] }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [out, setOut] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (k: string, v: string) => setValues((o) => ({ ...o, [k]: v }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setOut(await unwrap(api.POST('/models/{id}/predict', { params: { path: { id } }, body: { rows: [rowOf(features, values)] } })));
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Section title="Predict one row">
      <form id="predict" class="grid" onSubmit={submit}>
        {features.map((f) => (
          <label key={f.name}>{f.name} <span class="hint">({f.type})</span>
            {f.categories?.length ? (
              <select name={f.name} value={values[f.name] ?? ''} onChange={(e) => set(f.name, e.currentTarget.value)}>
                <option value="">(missing)</option>
                {f.categories.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            ) : f.type === 'boolean' ? (
              <select name={f.name} value={values[f.name] ?? ''} onChange={(e) => set(f.name, e.currentTarget.value)}>
                <option value="">(missing)</option><option value="true">true</option><option value="false">false</option>
              </select>
            ) : (
              NUMERIC.has(f.type)
                ? <input name={f.name} type="number" step="any" value={values[f.name] ?? ''} onInput={(e) => set(f.name, e.currentTarget.value)} />
                : <input name={f.name} type="text" placeholder={f.type === 'datetime' ? 'YYYY-MM-DD' : undefined} value={values[f.name] ?? ''} onInput={(e) => set(f.name, e.currentTarget.value)} />
            )}
          </label>
        ))}
        <div class="wide">
          <ErrorLine error={error} />
          <button id="predict-submit" type="submit">Predict</button>
        </div>
      </form>
      {out && (
        <div id="prediction" aria-live="polite">
          <p>Prediction: <strong>{String(out.predictions[0])}</strong>
            {out.probabilities?.[0] && <> ({Object.entries(out.probabilities[0]).map(([k, p]) => `${k} ${fmt(p, 3)}`).join(', ')})</>}</p>
          {out.warnings.map((w) => <p key={w} class="hint">{w}</p>)}
        </div>
      )}
    </Section>
  );
}

/** Downloads the model file through the typed client (it needs the token, so not a plain link). */
function Export({ id, name }: { id: string; name: string }) {
  const [error, setError] = useState<string | null>(null);
  const get = async (format: 'onnx' | 'json') => {
    setError(null);
    try {
      const blob = await unwrap(api.GET('/models/{id}/export', { params: { path: { id }, query: { format } }, parseAs: 'blob' })) as unknown as Blob;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${name}-${id}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Section title="Export">
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void get('onnx')}>Download ONNX</button>
        <button type="button" class="secondary" onClick={() => void get('json')}>Download JSON</button>
      </div>
      <ErrorLine error={error} />
    </Section>
  );
}

export function ModelPage({ id }: { id: string }) {
  const { data: m, error } = useLoad(() => unwrap(api.GET('/models/{id}', { params: { path: { id } } })), [id]);
  const features = (m?.features ?? []) as Feature[];
  // Importances to four significant digits: the table compares them, nobody reads the seventeenth.
  const importances = ((m?.importances ?? []) as Record<string, unknown>[])
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? fmt(v) : v])));
  return (
    <>
      <h1>{m ? `${m.name} → ${m.target}` : 'Model'}</h1>
      <ErrorLine error={error} />
      {m && (
        <>
          <Section title="Summary">
            <dl class="facts">
              <dt>Task</dt><dd>{m.task}</dd>
              {Object.entries(m.metrics).filter(([, v]) => typeof v === 'number').map(([k, v]) => <><dt key={k}>{k}</dt><dd>{fmt(v as number)}</dd></>)}
              <dt>Run</dt><dd><a href={`/app/runs/${m.run_id}`}>{m.run_id.slice(0, 8)}</a></dd>
            </dl>
            {importances.length > 0 && <Table caption="Feature importance" columns={Object.keys(importances[0])} rows={importances.slice(0, 15)} />}
          </Section>
          <PredictForm id={id} features={features} />
          <BatchScore id={id} runId={m.run_id} />
          <Export id={id} name={m.name} />
        </>
      )}
    </>
  );
}
