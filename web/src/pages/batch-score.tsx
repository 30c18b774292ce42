// Batch scoring through predict jobs: pick one of your datasets (or upload a file first), start
// POST /models/{id}/predict-jobs, follow its progress, cancel it, and download the file it leaves.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, unwrap, type Answer } from '../api.js';
import { ErrorLine, Section, useLoad } from '../ui.js';
import { uploadDataset } from '../upload.js';

type Job = Answer<'getPredictJob'>;
const ENDED = new Set<Job['status']>(['completed', 'failed', 'cancelled']);
const POLL_MS = 1000;

/** Polls the job until it ends; answers its latest status. */
function useJob(jobId: string | null) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!jobId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const j = await unwrap(api.GET('/predict-jobs/{id}', { params: { path: { id: jobId } } }));
        if (!live) return;
        setJob(j);
        if (!ENDED.has(j.status)) timer = setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (live) setError(messageOf(e));
      }
    };
    void poll();
    return () => { live = false; clearTimeout(timer); };
  }, [jobId]);
  return { job, setJob, error };
}

/**
 * The file a completed job left is an artifact of the model's run; its listing carries a signed link, which works
 * as a plain link (no token in it, and the app's CSP does not govern navigation to it).
 */
function DownloadLink({ runId, job }: { runId: string; job: Job }) {
  const arts = useLoad(() => unwrap(api.GET('/runs/{id}/artifacts', { params: { path: { id: runId } } })), [runId, job.artifact_id]);
  const a = arts.data?.items.find((x) => x.id === job.artifact_id);
  return (
    <>
      <ErrorLine error={arts.error} />
      {a && <a id="job-download" class="button" href={a.download_url} download={a.filename}>Download {a.filename} ({(a.size / 1024).toFixed(1)} KB)</a>}
    </>
  );
}

/** Scores a whole dataset with the model as a predict job (the API's `predict-<job>` workflow). */
export function BatchScore({ id, runId }: { id: string; runId: string }) {
  const datasets = useLoad(() => unwrap(api.GET('/datasets', { params: { query: { limit: 100 } } })), []);
  const [datasetId, setDatasetId] = useState('');
  const [explain, setExplain] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { job, setJob, error: pollError } = useJob(jobId);
  const running = job !== null && !ENDED.has(job.status);

  const start = async (dataset: string) => {
    setError(null);
    setJob(null);
    setBusy('Starting the job…');
    try {
      const j = await unwrap(api.POST('/models/{id}/predict-jobs', { params: { path: { id } }, body: { dataset_id: dataset, explain } }));
      setJobId(j.job_id);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };
  const uploadThenScore = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setBusy(`Uploading ${file.name}…`);
    try {
      const up = await uploadDataset(file, (f) => setBusy(`Uploading ${file.name}: ${Math.round(f * 100)}%`));
      datasets.reload();
      setDatasetId(up.dataset_id);
      await start(up.dataset_id);
    } catch (e) {
      setError(messageOf(e));
      setBusy(null);
    }
  };
  const cancel = async () => {
    if (!jobId) return;
    try {
      await unwrap(api.POST('/predict-jobs/{id}/cancel', { params: { path: { id: jobId } } }));
      setJob(await unwrap(api.GET('/predict-jobs/{id}', { params: { path: { id: jobId } } })));
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const items = datasets.data?.items ?? [];
  return (
    <Section title="Score a whole dataset">
      <p class="hint">Runs in the background as a predict job: one row of predictions per dataset row, in order, as a CSV file.</p>
      <form id="batch-form" onSubmit={(e) => { e.preventDefault(); if (datasetId) void start(datasetId); }}>
        <label for="batch-dataset">Dataset to score
          <select id="batch-dataset" value={datasetId} onChange={(e) => setDatasetId(e.currentTarget.value)} disabled={running}>
            <option value="">Choose one of your datasets</option>
            {items.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.rows.toLocaleString()} rows)</option>)}
          </select>
        </label>
        <label for="batch-file">…or upload a file to score<input id="batch-file" type="file" accept=".csv,.tsv,.json,.parquet,.xlsx,text/csv" disabled={running || busy !== null} onChange={(e) => void uploadThenScore(e.currentTarget.files?.[0])} /></label>
        <label class="check"><input id="batch-explain" type="checkbox" checked={explain} onChange={(e) => setExplain(e.currentTarget.checked)} /> Explain each prediction (SHAP, first 10,000 rows; slower)</label>
        <div class="actions">
          <button id="batch-start" type="submit" disabled={!datasetId || running || busy !== null}>Score it</button>
          {running && <button id="batch-cancel" type="button" class="secondary" onClick={() => void cancel()}>Cancel the job</button>}
        </div>
      </form>
      <ErrorLine error={error ?? pollError ?? datasets.error} />
      <div aria-live="polite" id="batch-status">
        {busy && <p>{busy}</p>}
        {job && (
          <>
            <div class="progress-row">
              <label for="batch-progress">Job {job.job_id.slice(0, 8)}: {job.status}</label>
              <progress id="batch-progress" max={100} value={job.progress}>{job.progress}%</progress>
              <span>{job.rows_done.toLocaleString()} of {job.rows_total === null ? '…' : job.rows_total.toLocaleString()} rows</span>
            </div>
            {job.resumed_from_row !== null && <p class="hint">Resumed from row {job.resumed_from_row.toLocaleString()} after attempt {job.attempts - 1}.</p>}
            {job.error && <p class="error">{job.error}</p>}
            {job.status === 'completed' && (
              <p id="batch-done">{job.rows_done.toLocaleString()} rows scored{job.explained_rows ? `, ${job.explained_rows.toLocaleString()} explained` : ''}. <DownloadLink runId={runId} job={job} /></p>
            )}
          </>
        )}
      </div>
    </Section>
  );
}
