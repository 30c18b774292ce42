import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, unwrap, type RunResult } from '../api.js';
import { ErrorLine, Section, fmt, useLoad } from '../ui.js';

type Modeling = NonNullable<RunResult['modeling']>;

/** The models tried, cross-validated, and which score to trust (the held-out test score when there is one, as the report says). */
function Leaderboard({ m }: { m: Modeling }) {
  const v = m.validation;
  const best = m.leaderboard[0];
  return (
    <Section title="Leaderboard">
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Leaderboard">
        <table id="leaderboard">
          <caption>{m.task} of <strong>{m.target}</strong>, {m.metric}{v ? `, ${v.folds}-fold ${v.scheme} cross-validation` : ''}; best first</caption>
          <thead><tr><th scope="col">Model</th><th scope="col">CV mean</th><th scope="col">CV std</th></tr></thead>
          <tbody>{m.leaderboard.map((r) => <tr key={r.model}><th scope="row">{r.model}</th><td>{fmt(r.cv_mean)}</td><td>{fmt(r.cv_std)}</td></tr>)}</tbody>
        </table>
      </div>
      <p id="trust">
        {m.test_score != null && v
          ? <>Held-out test score of {best?.model}: <strong>{m.metric} {fmt(m.test_score)}</strong> on {v.test_rows} rows no selection step saw. Trust this one: the cross-validated scores also chose the model, so they lean optimistic.</>
          : <>There is no held-out test split, so {best?.model}'s cross-validated {fmt(best?.cv_mean)} both chose the model and measures it: expect somewhat less on new data.</>}
      </p>
      {v?.reason && <p class="hint">Validation: {v.reason}</p>}
      <p><a id="model-link" href={`/app/models/${m.best_model_id}`}>Open the best model: predict, score a CSV, export</a></p>
    </Section>
  );
}

/** The profile's summary and alerts, from the run's result. */
export function Profile({ eda, note }: { eda: NonNullable<RunResult['eda']>; note?: ComponentChildren }) {
  const alerts = eda.alerts as { kind: string; column: string | null; message: string }[];
  const summary = Object.entries(eda.summary).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  return (
    <Section title="Profile">
      {note && <p class="hint">{note}</p>}
      <dl class="facts">{summary.map(([k, v]) => <><dt key={k}>{k.replace(/_/g, ' ')}</dt><dd>{typeof v === 'number' ? fmt(v, 6) : String(v)}</dd></>)}</dl>
      <h3>Alerts ({alerts.length})</h3>
      {alerts.length ? <ul id="alerts">{alerts.map((a, i) => <li key={i}><span class="badge">{a.kind}</span> {a.message}</li>)}</ul> : <p>No alerts.</p>}
    </Section>
  );
}

/**
 * The report, shown inline: fetched with the token and put in a sandboxed frame (no scripts, its own opaque
 * origin), so it can neither run code nor reach the app's storage.
 */
function Report({ reportId }: { reportId: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(api.GET('/reports/{id}', { params: { path: { id: reportId } }, parseAs: 'text' })).then((t) => setHtml(t as unknown as string), (e: unknown) => setError(messageOf(e)));
  }, [reportId]);
  return (
    <>
      <ErrorLine error={error} />
      {html && <iframe id="report" title="Analysis report" sandbox="" srcdoc={html} class="report" />}
    </>
  );
}

/** What a finished run left: leaderboard, profile, report, downloads. */
export function RunResultView({ runId, status }: { runId: string; status: string }) {
  const path = { params: { path: { id: runId } } };
  const result = useLoad(() => unwrap(api.GET('/runs/{id}/result', path)), [runId, status]);
  const artifacts = useLoad(() => unwrap(api.GET('/runs/{id}/artifacts', path)), [runId, status]);
  const r = result.data;
  const pdf = artifacts.data?.items.find((a) => a.type === 'report_pdf');
  return (
    <>
      <ErrorLine error={result.error} />
      {r && r.warnings.length > 0 && <Section title="Warnings"><ul>{r.warnings.map((w) => <li key={w}>{w}</li>)}</ul></Section>}
      {r?.modeling && <Leaderboard m={r.modeling} />}
      {r?.eda && <Profile eda={r.eda} />}
      {r?.report_id && (
        <Section title="Report">
          <div class="actions">
            {pdf && <a class="button" id="pdf" href={pdf.download_url} download={pdf.filename}>Download the PDF</a>}
            {!pdf && <span class="hint">No PDF for this run (it is made only where Chromium is available).</span>}
          </div>
          <Report reportId={r.report_id} />
        </Section>
      )}
      {artifacts.data && (
        <Section title="Files">
          <ul class="list" id="artifacts">
            {artifacts.data.items.map((a) => <li key={a.id}><a href={a.download_url} download={a.filename}>{a.filename}</a> <span class="meta">{a.type}, {(a.size / 1024).toFixed(1)} KB</span></li>)}
          </ul>
        </Section>
      )}
    </>
  );
}
