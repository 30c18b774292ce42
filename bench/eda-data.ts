// Tables for bench:eda, written synchronously (no buffered stream inflating the bench's RSS): a long mixed table and a wide numeric one, 5% missing cells.
import fs from 'node:fs';
import { seededRandom } from '../analysis/ml/random.js';

/**
 * 1M × 12 by default: integers, floats, categories, a boolean, a date and free-ish text, 5% missing. `seed` and
 * `drift` (score shifted by 5, cities mixed unevenly) make a second version of the table for bench:compare.
 */
export function writeLongTable(file: string, rows: number, o: { seed?: number; drift?: boolean } = {}): void {
  const rand = seededRandom(o.seed ?? 11);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const miss = (v: string) => (rand() < 0.05 ? '' : v);
  const fd = fs.openSync(file, 'w');
  const cities = ['Lisbon', 'Oslo', 'Quito', 'Accra', 'Hanoi', 'Lima', 'Perth', 'Riga'];
  let buf = 'id,age,income,score,height,weight,city,segment,grade,active,signup,comment\n';
  const day0 = Date.UTC(2015, 0, 1);
  for (let i = 0; i < rows; i++) {
    const age = 18 + Math.floor(rand() * 60);
    const income = Math.exp(10 + 0.6 * gauss()).toFixed(2);
    const date = new Date(day0 + Math.floor(rand() * 3000) * 86_400_000).toISOString().slice(0, 10);
    buf += `${i},${miss(String(age))},${miss(income)},${miss((50 + (o.drift ? 5 : 0) + 15 * gauss()).toFixed(3))},${miss((170 + 10 * gauss()).toFixed(1))},`
      + `${miss((70 + 12 * gauss()).toFixed(1))},${miss(cities[Math.floor((o.drift ? rand() ** 1.5 : rand()) * cities.length)])},${miss('ABCDE'[Math.floor(rand() * 5)])},`
      + `${miss(String(1 + Math.floor(rand() * 9)))},${miss(rand() < 0.4 ? 'true' : 'false')},${miss(date)},${miss(`note ${Math.floor(rand() * 5000)}`)}\n`;
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** 100k × 200 floats by default, 5% missing. */
export function writeWideTable(file: string, rows: number, cols: number): void {
  const rand = seededRandom(12);
  const fd = fs.openSync(file, 'w');
  let buf = Array.from({ length: cols }, (_, j) => `x${j}`).join(',') + '\n';
  for (let i = 0; i < rows; i++) {
    const base = rand();
    const row: string[] = [];
    for (let j = 0; j < cols; j++) row.push(rand() < 0.05 ? '' : (base * (j % 7) + rand()).toFixed(4));
    buf += row.join(',') + '\n';
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}
