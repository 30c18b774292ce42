// Clears the outcome rows before the fault suite and prints them as one table after it.
import fs from 'node:fs';
import { OUTCOMES_FILE, type Outcome } from './helpers.js';

export default function setup() {
  fs.rmSync(OUTCOMES_FILE, { force: true });
  const started = Date.now();
  return () => {
    const rows = fs.existsSync(OUTCOMES_FILE)
      ? fs.readFileSync(OUTCOMES_FILE, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Outcome)
      : [];
    const w = Math.max(8, ...rows.map((r) => r.scenario.length));
    const lines = [`${'scenario'.padEnd(w)}  ${'outcome'.padEnd(60)}  run wall time`, ...rows.map((r) => `${r.scenario.padEnd(w)}  ${r.outcome.padEnd(60)}  ${r.wall_s.toFixed(1)} s`)];
    console.log(`\nFault suite (${((Date.now() - started) / 1000).toFixed(0)} s in all):\n${lines.join('\n')}\n`);
  };
}
