// The Ask box of a dataset page: a question in plain words, answered by POST /datasets/{id}/ask over every row.
import { useState } from 'preact/hooks';
import { api, detailsOf, messageOf, unwrap, type AskAnswer } from '../api.js';
import { VegaChart } from '../chart/chart.js';
import { ErrorLine, Section, Table } from '../ui.js';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Question, answer table, what was understood (and which words were not), the SQL that ran, and the chart. */
export function AskBox({ datasetId }: { datasetId: string }) {
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<AskAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tries, setTries] = useState<string[]>([]);
  const [near, setNear] = useState<{ word: string; columns: string[] } | null>(null);

  const ask = async (q: string) => {
    setQuestion(q);
    setBusy(true);
    setError(null);
    setTries([]);
    setNear(null);
    try {
      setAnswer(await unwrap(api.POST('/datasets/{id}/ask', { params: { path: { id: datasetId } }, body: { question: q } })));
    } catch (e) {
      setAnswer(null);
      setError(messageOf(e));
      const d = detailsOf(e);
      // A question it cannot read comes back with phrasings it can (`try`, each checked by the API to read); a word
      // naming no column, with the nearest column names (shown as names: put in the question they may not read).
      setTries(strings(d.try).filter((t) => t !== q));
      setNear(typeof d.column === 'string' ? { word: d.column, columns: strings(d.near) } : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Ask this dataset" id="ask-title">
      <form id="ask-form" onSubmit={(e) => { e.preventDefault(); if (question.trim()) void ask(question.trim()); }}>
        <label for="ask-question">Question in plain words
          <input id="ask-question" value={question} onInput={(e) => setQuestion(e.currentTarget.value)} placeholder="e.g. average horsepower by origin" autoComplete="off" />
        </label>
        <div class="actions"><button id="ask-submit" type="submit" disabled={busy || !question.trim()}>{busy ? 'Asking…' : 'Ask'}</button></div>
      </form>
      <div aria-live="polite">
        <ErrorLine error={error} />
        {near && near.columns.length > 0 && (
          <p id="ask-near">No column is called <code>{near.word}</code>; the nearest names: {near.columns.map((c) => <code key={c}>{c}</code>)}</p>
        )}
        {tries.length > 0 && (
          <div id="ask-tries">
            <p>Questions it can read:</p>
            <ul class="chips">{tries.map((t) => <li key={t}><button type="button" class="secondary" onClick={() => void ask(t)}>{t}</button></li>)}</ul>
          </div>
        )}
        {answer && (
          <div id="ask-answer">
            <p id="ask-interpretation"><strong>Understood as:</strong> {answer.interpretation}{answer.answered_by === 'llm' ? ' (read by the language model)' : ''}</p>
            {answer.ignored_words.length > 0 && (
              <p id="ask-ignored" class="warn-line">Not understood, so ignored: {answer.ignored_words.map((w) => <code key={w}>{w}</code>)}</p>
            )}
          </div>
        )}
      </div>
      {answer && (
        <>
          {answer.chart && <VegaChart spec={answer.chart} label={`Chart of: ${answer.interpretation}`} />}
          <Table caption={`Answer: ${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'}`} columns={answer.columns} rows={answer.rows} />
          <details id="ask-sql">
            <summary>The SQL that ran</summary>
            <pre>{answer.sql}</pre>
            {answer.params.length > 0 && <p class="hint">Parameters: {answer.params.map((p, i) => `$${i + 1} = ${JSON.stringify(p)}`).join(', ')}</p>}
          </details>
        </>
      )}
    </Section>
  );
}
