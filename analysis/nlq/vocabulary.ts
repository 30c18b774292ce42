import type { MeasureFn } from './query.js';

// The reader's vocabulary: words for aggregates and for ordering, and the words it keeps for itself.

export const AGG_WORDS: Record<string, MeasureFn> = {
  average: 'avg', mean: 'avg', avg: 'avg', typical: 'avg', total: 'sum', sum: 'sum', median: 'median',
  max: 'max', maximum: 'max', highest: 'max', largest: 'max', biggest: 'max', greatest: 'max', peak: 'max',
  min: 'min', minimum: 'min', lowest: 'min', smallest: 'min', least: 'min',
  std: 'stddev', stdev: 'stddev', stddev: 'stddev', deviation: 'stddev',
};
export const DESC = new Set(['highest', 'most', 'largest', 'biggest', 'greatest', 'best', 'top', 'max', 'maximum', 'descending', 'desc', 'longest', 'heaviest']);
export const ASC = new Set(['lowest', 'least', 'smallest', 'fewest', 'worst', 'bottom', 'min', 'minimum', 'ascending', 'asc', 'shortest', 'lightest']);
/** The reader's own words: these match a column only when spelt exactly as it is named. */
export const RESERVED = new Set([
  ...Object.keys(AGG_WORDS), ...DESC, ...ASC, 'how', 'many', 'much', 'count', 'number', 'of', 'by', 'per', 'each', 'where', 'with', 'and', 'or', 'not',
  'share', 'percent', 'percentage', 'proportion', 'fraction', 'distribution', 'histogram', 'correlation', 'correlated', 'relationship',
  'missing', 'null', 'empty', 'blank', 'unique', 'distinct', 'different', 'rows', 'row', 'records', 'show', 'list', 'trend', 'over', 'time',
  'first', 'last', 'next', 'previous', 'past', 'this', 'current', 'between', 'than', 'greater', 'less', 'more', 'fewer', 'above', 'below', 'under', 'contains', 'is', 'are', 'the', 'what', 'which',
]);
