/** Brand colours of the report; every one is a `#rrggbb` hex string. */
export interface ThemeColors {
  primary: string; accent: string; bg: string; surface: string; text: string; muted: string; ok: string; warn: string; error: string;
}
export interface Theme extends ThemeColors { fontFamily: string }

/** Assay's own palette: every text colour passes WCAG AA (4.5:1) on both backgrounds. */
export const DEFAULT_THEME: Theme = {
  primary: '#1d4ed8', accent: '#0f766e', bg: '#ffffff', surface: '#f5f7fa', text: '#1f2933', muted: '#52606d',
  ok: '#15803d', warn: '#b45309', error: '#b91c1c', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
};

/** Colours drawn as text (or as the only cue) on `bg` and `surface`; each needs 4.5:1 there. */
const FOREGROUNDS = ['text', 'muted', 'primary', 'accent', 'ok', 'warn', 'error'] as const;
export const AA_NORMAL_TEXT = 4.5;

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
/** Whether `value` is a colour the report accepts (`#rgb` or `#rrggbb`). */
export const isHexColor = (value: string) => HEX.test(value);

function rgb(hex: string): [number, number, number] {
  let h = hex.slice(1);
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}
const toHex = (c: number[]) => `#${c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;

/** WCAG 2 relative luminance of a hex colour. */
export function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio between two hex colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Mixes `hex` toward black or white in small steps until it reaches `ratio` against every background. */
function enforceContrast(hex: string, backgrounds: string[], ratio: number): string {
  const ok = (c: string) => backgrounds.every((b) => contrastRatio(c, b) >= ratio);
  if (ok(hex)) return hex;
  const darkBackground = backgrounds.every((b) => luminance(b) < 0.18);
  const target = darkBackground ? [255, 255, 255] : [0, 0, 0];
  const from = rgb(hex);
  for (let t = 0.05; t <= 1.0001; t += 0.05) {
    const mixed = toHex(from.map((v, i) => v + (target[i] - v) * t));
    if (ok(mixed)) return mixed;
  }
  return toHex(target);
}

/**
 * Completes a brand theme from partial settings and makes every text colour pass WCAG AA on the report's
 * backgrounds, darkening (or, on dark backgrounds, lightening) the ones that do not.
 * @returns the theme and one sentence per colour it had to change
 * @example resolveTheme({ muted: '#aaaaaa' }).adjustments // ["REPORT_MUTED #aaaaaa has contrast 2.32:1 …"]
 */
export function resolveTheme(input: Partial<Theme>): { theme: Theme; adjustments: string[] } {
  const theme: Theme = { ...DEFAULT_THEME };
  for (const [k, v] of Object.entries(input) as [keyof Theme, string | undefined][]) if (v) theme[k] = k === 'fontFamily' ? v : toHex(rgb(v));
  const adjustments: string[] = [];
  for (const key of FOREGROUNDS) {
    const before = theme[key];
    const after = enforceContrast(before, [theme.bg, theme.surface], AA_NORMAL_TEXT);
    if (after !== before) {
      const worst = Math.min(contrastRatio(before, theme.bg), contrastRatio(before, theme.surface));
      adjustments.push(`REPORT_${key.toUpperCase()} ${before} has contrast ${worst.toFixed(2)}:1 on the report background; ${after} is used instead to pass WCAG AA (4.5:1).`);
      theme[key] = after;
    }
  }
  return { theme, adjustments };
}
