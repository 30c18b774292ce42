import { useState } from 'preact/hooks';
import { api, messageOf, unwrap, type RunStatus } from '../api.js';
import { ErrorLine, Section, fmt } from '../ui.js';

type Question = NonNullable<RunStatus['question']>;

/** The run's question: pick a target (ranked suggestions first, or any column), optionally a group column, or skip modeling. */
export function ClarifyForm({ runId, question, columns }: { runId: string; question: Question; columns: string[] }) {
  const [target, setTarget] = useState(question.options[0]?.column ?? '');
  const [task, setTask] = useState<'' | 'classification' | 'regression'>('');
  const [group, setGroup] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const others = columns.filter((c) => !question.options.some((o) => o.column === c));

  const send = async (body: { target?: string; skip_modeling?: boolean }) => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/runs/{id}/clarify', { params: { path: { id: runId } },
        body: { ...body, ...(body.target && task ? { task } : {}), ...(body.target && group ? { group_column: group } : {}) } }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="The run has a question" id="question-title">
      <p id="question-message">{question.message}</p>
      <form id="clarify" onSubmit={(e) => { e.preventDefault(); void send({ target }); }}>
        <fieldset>
          <legend>Target column (most likely first)</legend>
          {question.options.map((o) => (
            <label key={o.column} class="choice">
              <input type="radio" name="target" value={o.column} checked={target === o.column} onChange={() => setTarget(o.column)} />
              <span><strong>{o.column}</strong> <span class="meta">score {fmt(o.score, 2)}: {o.reason}</span></span>
            </label>
          ))}
          {others.length > 0 && (
            <label>Or any other column
              <select id="other-target" value={others.includes(target) ? target : ''} onChange={(e) => e.currentTarget.value && setTarget(e.currentTarget.value)}>
                <option value="">—</option>
                {others.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            </label>
          )}
        </fieldset>
        <label>Task
          <select id="clarify-task" value={task} onChange={(e) => setTask(e.currentTarget.value as typeof task)}>
            <option value="">Decide from the target</option><option value="classification">Classification</option><option value="regression">Regression</option>
          </select>
        </label>
        {question.group_options && question.group_options.length > 0 && (
          <label>Keep rows of one identifier together in validation (group folds)
            <select id="group-column" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
              <option value="">No grouping</option>
              {question.group_options.map((g) => <option key={g.column} value={g.column}>{g.column} ({g.groups} groups, ~{fmt(g.rows_per_group, 2)} rows each)</option>)}
            </select>
          </label>
        )}
        <ErrorLine error={error} />
        <div class="actions">
          <button id="answer" type="submit" disabled={busy || !target}>Use {target || 'this column'} as the target</button>
          <button id="skip" type="button" class="secondary" disabled={busy} onClick={() => void send({ skip_modeling: true })}>Skip modeling (profile and report only)</button>
        </div>
      </form>
    </Section>
  );
}
