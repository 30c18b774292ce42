import type { Theme } from './theme.js';

/** How reports are rendered on this worker; built from the environment by `reportSettings(env)`. */
export interface ReportSettings {
  temporalUiUrl: string;
  namespace: string;
  /** System Chromium for the PDF; when missing, reports are HTML only and the run says why. */
  /** CHROMIUM_PATH; unset: the system's Chromium, else the npm build (`findChromium`). */
  chromiumPath?: string;
  /** Brand colours and font; unset ones keep Assay's defaults. */
  theme: Partial<Theme>;
  /** A logo to inline at render time (http(s) URL, file path or data URI). */
  logoUrl?: string;
  maxColumnCards: number;
}
