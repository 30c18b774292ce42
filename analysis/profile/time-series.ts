import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlFiniteDouble as fin, sqlIdent } from '../duck.js';
import type { ColumnProfile, TimeSeriesHint } from './types.js';

/** The lags at which each frequency repeats naturally: a day of hours, a week of days, a year of months… */
const NATURAL_LAGS: Record<string, [number, string][]> = {
  secondly: [[60, 'minute']], minutely: [[60, 'hour'], [1440, 'day']], hourly: [[24, 'day'], [168, 'week']],
  daily: [[7, 'week'], [365, 'year']], weekly: [[52, 'year']], monthly: [[12, 'year']], quarterly: [[4, 'year']], yearly: [],
};
/** Autocorrelation at a natural lag above this is called seasonal; |r| with time above this a trend. */
export const SEASONAL_ACF = 0.3;
export const TREND_R = 0.3;
/** …and at least this much above the autocorrelation at half the lag. */
export const SEASONAL_RISE = 0.2;
const ADJECTIVE: Record<string, string> = { minute: 'minutely', hour: 'hourly', day: 'daily', week: 'weekly', year: 'yearly' };
const MAX_SERIES = 5;
const MIN_POINTS = 10;

/**
 * When a datetime column orders the rows, describes the series: its frequency and, for the first numeric
 * columns, trend (Pearson r with time) and seasonality (autocorrelation at the frequency's natural lags).
 * Each finding comes with a plain sentence.
 */
export async function timeSeriesHint(conn: DuckDBConnection, view: string, columns: ColumnProfile[]): Promise<TimeSeriesHint | null> {
  const time = columns.find((c) => c.type === 'datetime' && c.datetime?.ordered && c.count >= MIN_POINTS && c.distinct >= MIN_POINTS);
  if (!time) return null;
  const freq = time.datetime!.frequency;
  const numeric = columns.filter((c) => (c.type === 'integer' || c.type === 'float') && c.distinct > 1 && c.name !== time.name).slice(0, MAX_SERIES);
  const lags = (freq ? NATURAL_LAGS[freq] : []).filter(([lag]) => lag * 2 < time.count);
  const t = sqlIdent(time.name);
  const series: TimeSeriesHint['series'] = [];
  if (numeric.length) {
    const lagged = numeric.flatMap((c, i) => lags.flatMap(([lag], k) => [`lag(${fin(c.name)}, ${lag}) OVER w AS "l${i}_${k}"`, `lag(${fin(c.name)}, ${Math.round(lag / 2)}) OVER w AS "h${i}_${k}"`]));
    const sel = numeric.flatMap((c, i) => [`corr(${fin(c.name)}, epoch(${t}::TIMESTAMP)) AS "tr${i}"`,
      ...lags.flatMap((_, k) => [`corr(${fin(c.name)}, "l${i}_${k}") AS "a${i}_${k}"`, `corr(${fin(c.name)}, "h${i}_${k}") AS "b${i}_${k}"`])]);
    const [r] = await queryJson(conn, `SELECT ${sel.join(', ')} FROM (SELECT *${lagged.length ? `, ${lagged.join(', ')}` : ''} FROM ${view} WHERE ${t} IS NOT NULL WINDOW w AS (ORDER BY file_row_number))`);
    numeric.forEach((c, i) => {
      const tr = r[`tr${i}`] == null ? null : Number(r[`tr${i}`]);
      // A season shows as a peak: autocorrelation at the lag well above that at half the lag. Without the
      // comparison, mere persistence (today like yesterday) would read as a weekly cycle.
      let best: { lag: number; unit: string; acf: number; rise: number } | null = null;
      lags.forEach(([lag, unit], k) => {
        const acf = r[`a${i}_${k}`] == null ? null : Number(r[`a${i}_${k}`]);
        const half = r[`b${i}_${k}`] == null ? null : Number(r[`b${i}_${k}`]);
        if (acf === null || half === null || acf < SEASONAL_ACF || acf - half < SEASONAL_RISE) return;
        if (!best || acf - half > best.rise) best = { lag, unit, acf, rise: acf - half };
      });
      const b = best as { lag: number; unit: string; acf: number; rise: number } | null;
      const parts: string[] = [];
      if (tr !== null && Math.abs(tr) >= TREND_R) parts.push(`${tr > 0 ? 'rises' : 'falls'} over time (r = ${tr.toFixed(2)} with time)`);
      if (b) parts.push(`repeats every ${b.unit} (autocorrelation ${b.acf.toFixed(2)} at lag ${b.lag})`);
      const sentence = parts.length ? `'${c.name}' ${parts.join(' and ')}.` : `'${c.name}' shows no clear trend${lags.length ? ` or ${lags.map(([, u]) => ADJECTIVE[u]).join(' or ')} cycle` : ''}.`;
      series.push({ column: c.name, trend_r: tr, seasonal_lag: b?.lag ?? null, seasonal_acf: b?.acf ?? null, sentence });
    });
  }
  const gaps = time.datetime!.gaps;
  const sentence = `The rows are ordered by '${time.name}'${freq ? `, one every ${freq === 'daily' ? 'day' : freq.replace(/ly$/, '')}` : ''}`
    + ` (${time.min} to ${time.max})${gaps ? `, with ${gaps} gap${gaps > 1 ? 's' : ''} longer than twice the usual spacing` : ''}: a time series.`;
  return { column: time.name, frequency: freq, sentence, series };
}
