import type { z } from 'zod';
import type { EdaResult } from '../profile/types.js';
import type { Finding } from '../qa/check-artifacts.js';
import type { ModelingSchema } from '../qa/schemas.js';
import type { Theme } from './theme.js';

/** modeling.json (version 2) as the report reads it. */
export type Modeling = z.infer<typeof ModelingSchema>;

/** Everything the report shows; the renderer does no I/O. */
export interface ReportInput {
  title: string;
  dataset: { name: string; filename: string; sha256: string };
  /** How ingest read the file (encoding, sheet, renamed columns, conversions), one sentence each. */
  readNotes?: string[];
  eda: EdaResult;
  modeling: Modeling | null;
  /** QA's findings on eda.json and modeling.json, checked before rendering. */
  findings: Finding[];
  warnings: string[];
  run: { run_id: string; workflow_id: string; temporal_ui_url: string; namespace: string; options: Record<string, unknown> };
  /** Library and runtime versions for the reproducibility footer. */
  versions: Record<string, string>;
  theme: Theme;
  /** The logo as a data URI (inlined, never linked), or null. */
  logo: string | null;
  generatedAt: string;
  /** Columns beyond this many get a summary row instead of a card (keeps wide tables under the size budget). */
  maxColumnCards?: number;
}
