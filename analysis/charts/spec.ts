/** A vega-lite spec (plain JSON, data inline) with a title and a text alternative for readers who cannot see it. */
export interface ChartSpec { id: string; title: string; description: string; spec: Record<string, unknown> }

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * The common head of every spec Assay stores: schema, title, text alternative, width and inline data.
 * @example { ...vegaLiteBase('Histogram', 'Counts per bin', bins), mark: 'bar', encoding: {...} }
 */
export const vegaLiteBase = (title: string, description: string, values: unknown[], width = 420) =>
  ({ $schema: SCHEMA, title, description, width, data: { values } });
