import { useState } from 'preact/hooks';
import { api, messageOf, unwrap, type Dataset, type RunOptions } from '../api.js';
import { navigate } from '../router.js';
import { ErrorLine, Section } from '../ui.js';

const METRICS = { auto: [], classification: ['roc_auc', 'log_loss', 'accuracy', 'balanced_accuracy', 'f1_macro'], regression: ['r2', 'rmse', 'mae', 'mape'] } as const;
type Task = NonNullable<RunOptions['task']>;
type Scheme = NonNullable<NonNullable<RunOptions['validation']>['scheme']>;
type Metric = NonNullable<RunOptions['metric']>;

/**
 * Starts a run on a dataset with the options people change most. Left on "let Assay choose", the target is found by
 * ranking the columns; when no column is clearly the target the run asks, with the ranked suggestions.
 */
export function RunForm({ dataset }: { dataset: Dataset }) {
  const cols = dataset.columns.map((c) => c.name);
  const [target, setTarget] = useState('');
  const [task, setTask] = useState<Task>('auto');
  const [metric, setMetric] = useState('');
  const [scheme, setScheme] = useState<Scheme>('auto');
  const [folds, setFolds] = useState('');
  const [groupColumn, setGroupColumn] = useState('');
  const [timeColumn, setTimeColumn] = useState('');
  const [ignore, setIgnore] = useState<string[]>([]);
  const [budget, setBudget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const metrics = task === 'auto' ? [...METRICS.classification, ...METRICS.regression] : METRICS[task];

  const submit = async (e: Event) => {
    e.preventDefault();
    const options: RunOptions = {};
    if (target) options.target = target;
    if (task !== 'auto') options.task = task;
    if (metric) options.metric = metric as Metric;
    if (ignore.length) options.ignore_columns = ignore;
    if (budget) options.time_budget_s = Number(budget);
    if (scheme !== 'auto' || folds || groupColumn || timeColumn) {
      options.validation = { ...(scheme !== 'auto' ? { scheme } : {}), ...(folds ? { folds: Number(folds) } : {}),
        ...(groupColumn ? { group_column: groupColumn } : {}), ...(timeColumn ? { time_column: timeColumn } : {}) };
    }
    setBusy(true);
    setError(null);
    try {
      const run = await unwrap(api.POST('/runs/start', { body: { dataset_id: dataset.id, options } }));
      navigate(`/app/runs/${run.run_id}`);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  const columnSelect = (id: string, label: string, value: string, set: (v: string) => void, none: string) => (
    <label>{label}
      <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">{none}</option>
        {cols.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    </label>
  );

  return (
    <Section title="Start a run">
      <form onSubmit={submit} class="grid">
        {columnSelect('target', 'Target', target, setTarget, 'Let Assay choose (it asks when unclear)')}
        <label>Task
          <select id="task" value={task} onChange={(e) => { setTask(e.currentTarget.value as Task); setMetric(''); }}>
            <option value="auto">Automatic</option><option value="classification">Classification</option><option value="regression">Regression</option>
          </select>
        </label>
        <label>Metric
          <select id="metric" value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
            <option value="">Default for the task</option>
            {metrics.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label>Validation
          <select id="scheme" value={scheme} onChange={(e) => setScheme(e.currentTarget.value as Scheme)}>
            <option value="auto">Automatic</option><option value="kfold">K-fold</option><option value="stratified">Stratified k-fold</option>
            <option value="time">Time-ordered</option><option value="group">Grouped</option>
          </select>
        </label>
        <label>Folds<input id="folds" type="number" min={2} max={20} placeholder="5" value={folds} onInput={(e) => setFolds(e.currentTarget.value)} /></label>
        {columnSelect('group-column', 'Group column', groupColumn, setGroupColumn, 'None')}
        {columnSelect('time-column', 'Time column', timeColumn, setTimeColumn, 'None')}
        <label>Time budget (seconds)<input id="budget" type="number" min={1} placeholder="default" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} /></label>
        <label class="wide">Ignore columns (Ctrl/Cmd-click for several)
          <select id="ignore" multiple size={Math.min(6, cols.length)} onChange={(e) => setIgnore([...e.currentTarget.selectedOptions].map((o) => o.value))}>
            {cols.map((c) => <option key={c} value={c} selected={ignore.includes(c)}>{c}</option>)}
          </select>
        </label>
        <div class="wide">
          <ErrorLine error={error} />
          <button id="start-run" type="submit" disabled={busy || dataset.status === 'failed'}>Start the run</button>
        </div>
      </form>
    </Section>
  );
}
