import { seededRandom } from '../../analysis/ml/random.js';

/**
 * A messy table as CSV, 400 rows plus 10 exact repeats (each right after its original, so `day` stays ordered):
 * `id` (unique), `customer_id` (60 customers, repeating), `day` (ordered ISO dates), `signup` (dates as text, 20
 * written as 'unknown'), `age` (32 missing), `income` (log-normal, 3 huge values), `city` (3 common, 16 rare, 12
 * missing), `const` (one value), `churn` (0/1, 1 in ~20).
 */
export function messyCsv(): string {
  const rand = seededRandom(11);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lines = ['id,customer_id,day,signup,age,income,city,const,churn'];
  const rare = Array.from({ length: 16 }, (_, i) => `Town${i + 1}`);
  const rows: string[] = [];
  for (let i = 0; i < 400; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const signup = i % 20 === 7 ? 'unknown' : new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 1400) * 86_400_000).toISOString().slice(0, 10);
    const age = i % 25 === 3 || i % 50 === 10 ? '' : String(20 + Math.floor(rand() * 50));
    const income = i === 50 || i === 150 || i === 250 ? '5000000' : (Math.exp(10 + gauss() * 0.9)).toFixed(0);
    const city = i < 16 ? rare[i] : i % 33 === 0 ? '' : ['Paris', 'Lyon', 'Nice'][Math.floor(rand() * 3)];
    const churn = i % 20 === 5 ? 1 : 0;
    rows.push([i + 1, 1 + (i % 60), day, signup, age, income, city, 'A', churn].join(','));
  }
  for (let i = 0; i < 400; i++) {
    lines.push(rows[i]);
    if (i % 40 === 20) lines.push(rows[i]);
  }
  return lines.join('\n') + '\n';
}
