import fs from 'node:fs';
import { expect, test } from 'vitest';
import { parse } from 'yaml';

// There is no Docker engine here: the file users run is checked by parsing it.
const compose = parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };

test('docker-compose.yml declares the cluster, the stores and Assay\'s processes', () => {
  expect(Object.keys(compose.services).sort()).toEqual(
    ['api', 'postgres', 'seaweedfs', 'temporal', 'temporal-setup', 'temporal-ui', 'worker-analysis', 'worker-modeling'].sort());
  expect(compose.services.seaweedfs.image).toMatch(/seaweedfs/);
  expect(compose.services.api.ports).toContain('8080:8080');
  expect(compose.services['temporal-ui'].ports).toContain('8233:8080');
});

test('Assay services get Postgres, S3 and the cluster address, and workers split by queue', () => {
  for (const name of ['api', 'worker-analysis', 'worker-modeling']) {
    const env = compose.services[name].environment;
    expect(env).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', S3_BUCKET: 'assay', S3_ENDPOINT: 'http://seaweedfs:8333' });
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\/assay$/);
  }
  expect(compose.services['worker-analysis'].environment.WORKER_ROLES).toBe('analysis');
  expect(compose.services['worker-modeling'].environment.WORKER_ROLES).toBe('modeling');
});

test('the search attributes the workflow upserts are registered on the cluster', () => {
  const cmd = compose.services['temporal-setup'].command.join(' ');
  for (const sa of ['AssayUser', 'AssayDataset', 'AssayStage']) expect(cmd).toContain(`--name ${sa} --type Keyword`);
});

test('every file the compose file mounts exists', () => {
  for (const svc of Object.values(compose.services)) {
    for (const v of (svc.volumes ?? []) as string[]) {
      const src = v.split(':')[0];
      if (src.startsWith('./')) expect(fs.existsSync(src), src).toBe(true);
    }
  }
});

test('the image carries Chromium for the PDF, and analysis workers pass the report theme through', () => {
  const dockerfile = fs.readFileSync('Dockerfile', 'utf8');
  expect(dockerfile).toMatch(/apt-get install[^\n]*\bchromium\b/);
  expect(dockerfile).toContain('CHROMIUM_PATH=/usr/bin/chromium');
  const env = compose.services['worker-analysis'].environment;
  for (const v of ['REPORT_PRIMARY', 'REPORT_ACCENT', 'REPORT_BG', 'REPORT_SURFACE', 'REPORT_TEXT', 'REPORT_MUTED', 'REPORT_OK', 'REPORT_WARN', 'REPORT_ERROR', 'REPORT_FONT_FAMILY', 'REPORT_LOGO_URL']) {
    expect(env[v]).toBe(`\${${v}:-}`);
  }
});
