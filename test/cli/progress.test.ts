import { expect, test } from 'vitest';
import { progressView } from '../../cli/progress.js';
import type { RunStatusBody } from '../../cli/run-events.js';

const status = (stage: RunStatusBody['stage'], progress: number, s: RunStatusBody['status'] = 'running'): RunStatusBody => ({
  run_id: 'r', workflow_id: 'run-r', status: s, stage, progress, heartbeat_at: null, question: null, error: null, logs: [],
});

test('on a terminal one bar is redrawn in place with the stage and the latest line; warnings get a line of their own', () => {
  let out = '';
  const v = progressView({ write: (s) => { out += s; }, isTTY: true, columns: 120 });
  v.status(status('train', 40));
  v.log('train: gbdt fold 2 — macro_f1 0.9636 on its held-out rows (12/20 fits done)', 'info');
  v.log('report: the PDF could not be made', 'warn');
  v.clear();
  const frames = out.split(/[\r\n]/).filter(Boolean);
  expect(frames[0]).toBe('[############------------------]  40% train    ');
  // Cut to the terminal's width (120 columns, less one), so a long line never wraps and breaks the redraw.
  expect(frames[1]).toBe('[############------------------]  40% train    train: gbdt fold 2 — macro_f1 0.9636 on its held-out rows (12/20 fits do');
  expect(out).toContain('\nwarn: report: the PDF could not be made\n');
  expect(out.endsWith('\n')).toBe(true);
  expect(out.split('\n').every((l) => l.split('\r').every((f) => f.length <= 119))).toBe(true); // never wider than the terminal
});

test('in a log (no terminal) a line per stage change and per log line, no carriage returns', () => {
  let out = '';
  const v = progressView({ write: (s) => { out += s; }, isTTY: false });
  v.status(status('train', 40));
  v.status(status('train', 55)); // same stage: nothing new to say
  v.log('train: linear fold 1 — macro_f1 1.0000 on its held-out rows (6/20 fits done)', 'info');
  v.status(status('finalize', 100, 'completed'));
  expect(out).toBe('running: train (40%)\n  train: linear fold 1 — macro_f1 1.0000 on its held-out rows (6/20 fits done)\ncompleted: finalize (100%)\n');
});
