import { useRef, useState } from 'preact/hooks';
import { api, messageOf, unwrap } from '../api.js';
import { navigate } from '../router.js';
import { ErrorLine, Section, useLoad, when } from '../ui.js';
import { uploadDataset } from '../upload.js';
import { Compare } from './compare.js';

/** Drop a file (or pick one), watch it upload, then go to the dataset. */
function Upload() {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const ds = await uploadDataset(file, setProgress);
      navigate(`/app/datasets/${ds.dataset_id}`);
    } catch (err) {
      setError(messageOf(err));
      setProgress(null);
    }
  };

  return (
    <Section title="Upload a table">
      <div class={`drop${over ? ' over' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); void send(e.dataTransfer?.files[0]); }}>
        <p>Drop a CSV, TSV, JSON, NDJSON, Parquet or XLSX file here, or</p>
        <label class="button">Choose a file
          <input ref={input} id="file" class="visually-hidden" type="file" accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,.parquet,.xlsx,.xls"
            onChange={(e) => void send(e.currentTarget.files?.[0])} />
        </label>
      </div>
      {progress !== null && (
        <div class="progress-row">
          <label for="upload-progress">Uploading</label>
          <progress id="upload-progress" max={1} value={progress} />
          <span aria-live="polite">{Math.round(progress * 100)}%{progress >= 1 ? ', reading the table…' : ''}</span>
        </div>
      )}
      <ErrorLine error={error} />
    </Section>
  );
}

/** The start page: upload, and the datasets already here. */
export function DatasetsPage() {
  const { data, error } = useLoad(() => unwrap(api.GET('/datasets', { params: { query: { limit: 100 } } })), []);
  return (
    <>
      <h1>Datasets</h1>
      <Upload />
      <Section title="Your datasets">
        <ErrorLine error={error} />
        {data && !data.items.length && <p>No datasets yet: upload one above.</p>}
        {data && data.items.length > 0 && (
          <ul class="list" id="dataset-list">
            {data.items.map((d) => (
              <li key={d.id}>
                <a href={`/app/datasets/${d.id}`}>{d.name}</a>
                <span class="meta">{d.rows.toLocaleString()}{d.rows_estimated ? ' (estimated)' : ''} rows × {d.cols} columns · {d.status} · {when(d.created_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {data && data.items.length > 1 && <Compare datasets={data.items} />}
    </>
  );
}
