// Compare two datasets (POST /datasets/compare): which columns drifted, schema changes, and the report.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, unwrap, type Answer } from '../api.js';
import { ErrorLine, Section, Table, fmt } from '../ui.js';

type Comparison = Extract<Answer<'getComparison'>, { status: 'completed' }>;
const POLL_MS = 2000;

/** The comparison's HTML report, fetched with the token and shown in a sandboxed frame (no scripts, opaque origin). */
function CompareReport({ id }: { id: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(api.GET('/datasets/compare/{id}/report', { params: { path: { id } }, parseAs: 'text' })).then((t) => setHtml(t as unknown as string), (e: unknown) => setError(messageOf(e)));
  }, [id]);
  return (
    <>
      <ErrorLine error={error} />
      {html && <iframe id="compare-report" title="Comparison report" sandbox="" srcdoc={html} class="report" />}
    </>
  );
}

/** Pick two of your datasets; the result answers at once, or after polling when the comparison takes longer. */
export function Compare({ datasets }: { datasets: { id: string; name: string; rows: number }[] }) {
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showReport, setShowReport] = useState(false);

  const compare = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    setShowReport(false);
    try {
      let r = await unwrap(api.POST('/datasets/compare', { body: { dataset_a: a, dataset_b: b } })) as Answer<'getComparison'>;
      // 202 {compare_id, status: "running"} past COMPARE_WAIT_S: ask again until it is done.
      while (r.status !== 'completed') {
        await new Promise((res) => setTimeout(res, POLL_MS));
        r = await unwrap(api.GET('/datasets/compare/{id}', { params: { path: { id: r.compare_id } } }));
      }
      setResult(r);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const options = datasets.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.rows.toLocaleString()} rows)</option>);
  const changes = result?.schema_changes;
  return (
    <Section title="Compare two datasets">
      <form id="compare-form" class="grid" onSubmit={(e) => void compare(e)}>
        <label for="compare-a">Before (A)<select id="compare-a" value={a} onChange={(e) => setA(e.currentTarget.value)}><option value="">Choose</option>{options}</select></label>
        <label for="compare-b">After (B)<select id="compare-b" value={b} onChange={(e) => setB(e.currentTarget.value)}><option value="">Choose</option>{options}</select></label>
        <div class="actions wide"><button id="compare-submit" type="submit" disabled={busy || !a || !b}>{busy ? 'Comparing every row…' : 'Compare'}</button></div>
      </form>
      <ErrorLine error={error} />
      <div aria-live="polite">
        {result && (
          <div id="compare-result">
            <p id="compare-summary"><strong>{result.summary.drifted} of {result.summary.columns_compared} columns drifted</strong>
              {result.summary.drifted_columns.length > 0 && <>: {result.summary.drifted_columns.join(', ')}</>}.</p>
            <p class="hint">{result.rule}</p>
            {changes && (changes.added.length + changes.removed.length + changes.type_changed.length) > 0 && (
              <p id="compare-schema">Schema: {[...changes.added.map((c) => `added ${c.name}`), ...changes.removed.map((c) => `removed ${c.name}`),
                ...changes.type_changed.map((c) => `${c.name} ${c.type_a} → ${c.type_b}`)].join('; ')}</p>
            )}
          </div>
        )}
      </div>
      {result && (
        <>
          <Table caption="Every column compared (drifted first)" columns={['column', 'drifted', 'PSI', 'test', 'p-value', 'effect size', 'missing % A → B']}
            rows={[...result.columns].sort((x, y) => Number(y.drifted) - Number(x.drifted) || y.psi - x.psi).map((c) => ({
              column: c.name, drifted: c.drifted ? 'yes' : 'no', PSI: fmt(c.psi, 3), test: c.test === 'ks' ? 'KS' : 'χ²',
              'p-value': c.p_value === null ? '—' : fmt(c.p_value, 3), 'effect size': fmt(c.effect_size, 3),
              'missing % A → B': `${fmt(c.missing_pct_a, 3)} → ${fmt(c.missing_pct_b, 3)}`,
            }))} />
          <div class="actions">
            <button id="compare-show-report" type="button" class="secondary" onClick={() => setShowReport(true)} disabled={showReport}>Show the report</button>
          </div>
          {showReport && <CompareReport id={result.compare_id} />}
        </>
      )}
    </Section>
  );
}
