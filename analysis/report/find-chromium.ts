import fs from 'node:fs/promises';

/** Where Debian and Ubuntu install Chromium. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const executable = (p: string) => fs.access(p, fs.constants.X_OK).then(() => true, () => false);

/**
 * The Chromium that prints PDFs: `configured` (CHROMIUM_PATH) when given; else the system's; else the build
 * that ships inside the npm package `@sparticuz/chromium` (unpacked to the temp folder on first use, ~1 s), so a
 * fresh `npm start` prints PDFs without apt. A reason instead when none can run.
 */
export async function findChromium(configured?: string, systemPaths: readonly string[] = SYSTEM_CHROMIUM): Promise<{ path: string } | { missing: string }> {
  if (configured) {
    return (await executable(configured)) ? { path: configured }
      : { missing: `Chromium was not found at ${configured} (set CHROMIUM_PATH, or unset it to use the system's or the npm build)` };
  }
  for (const p of systemPaths) if (await executable(p)) return { path: p };
  try {
    const { default: chromium } = await import('@sparticuz/chromium');
    return { path: await chromium.executablePath() };
  } catch (err) {
    return { missing: `no Chromium was found (none at ${systemPaths.join(' or ') || 'the system paths'}, and the npm build could not be unpacked: ${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
}
