/** Section ids and headings, in page order; QA checks a report has every one. */
export const REPORT_SECTIONS = [
  ['findings', 'Key findings'], ['alerts', 'Data-quality alerts'], ['overview', 'Overview'], ['columns', 'Columns'],
  ['correlations', 'Correlations'], ['missingness', 'Missing values'], ['duplicates', 'Duplicate rows'], ['timeseries', 'Time series'], ['target', 'Target analysis'],
  ['models', 'Models'], ['importance', 'Feature importance'], ['dependence', 'Partial dependence'], ['diagnostics', 'Model diagnostics'],
  ['qa', 'QA findings and warnings'], ['reproducibility', 'Reproducibility'],
] as const;

/** Sections shown only when the data calls for them: the time-series section needs a column that orders the rows. */
export const OPTIONAL_SECTIONS: ReadonlySet<string> = new Set(['timeseries']);
