import type { RunStatusBody } from './run-events.js';

/** Where progress goes: stderr, so stdout keeps only the answer (`--json` output stays parseable). */
export interface ProgressOut { write(s: string): void; isTTY?: boolean; columns?: number }

/**
 * Draws a run's progress: on a terminal, one bar redrawn in place with the stage and latest line; elsewhere
 * (a CI log, a pipe) a plain line per stage change and per log line.
 */
export function progressView(out: ProgressOut) {
  let last = '';
  let stage = '';
  let barShown = false;
  let note = '';
  let progress = 0;
  const width = 30;
  const draw = () => {
    const filled = Math.round((progress / 100) * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(progress)).padStart(3)}% ${stage.padEnd(8)} ${note}`;
    const max = Math.max(20, (out.columns ?? 100) - 1);
    out.write(`\r${line.slice(0, max).padEnd(Math.min(max, last.length))}`);
    last = line.slice(0, max);
    barShown = true;
  };
  return {
    status(s: RunStatusBody) {
      progress = s.progress;
      if (out.isTTY) { stage = s.stage; draw(); return; }
      const key = `${s.status} ${s.stage}`;
      if (key !== stage) { stage = key; out.write(`${s.status}: ${s.stage} (${Math.round(s.progress)}%)\n`); }
    },
    log(message: string, level: string) {
      if (out.isTTY) {
        if (level !== 'info') { this.clear(); out.write(`${level}: ${message}\n`); }
        note = message;
        draw();
        return;
      }
      out.write(`  ${level === 'info' ? '' : `${level}: `}${message}\n`);
    },
    /** Ends the bar's line before other output. */
    clear() {
      if (out.isTTY && barShown) { out.write('\n'); barShown = false; last = ''; }
    },
  };
}
