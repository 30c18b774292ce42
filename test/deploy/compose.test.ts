import fs from 'node:fs';
import { expect, test } from 'vitest';
import { parse } from 'yaml';

// There is no Docker engine here: the file users run is checked by parsing it.
const compose = parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };

test('docker-compose.yml declares the cluster, the stores and Assay\'s processes', () => {
  expect(Object.keys(compose.services).sort()).toEqual(
    ['api', 'grafana', 'postgres', 'prometheus', 'seaweedfs', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker-analysis', 'worker-modeling'].sort());
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
  for (const sa of ['AssayUser', 'AssayDataset', 'AssayStage', 'AssayStatus']) expect(cmd).toContain(`--name ${sa} --type Keyword`);
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
  expect(dockerfile).toMatch(/^CMD \["node", "dist\/api\/main\.js"\]$/m); // compiled JavaScript at run time
  expect(dockerfile).toMatch(/^USER node$/m);
  const env = compose.services['worker-analysis'].environment;
  for (const v of ['REPORT_PRIMARY', 'REPORT_ACCENT', 'REPORT_BG', 'REPORT_SURFACE', 'REPORT_TEXT', 'REPORT_MUTED', 'REPORT_OK', 'REPORT_WARN', 'REPORT_ERROR', 'REPORT_FONT_FAMILY', 'REPORT_LOGO_URL']) {
    expect(env[v]).toBe(`\${${v}:-}`);
  }
});

const raw = fs.readFileSync('docker-compose.yml', 'utf8');
const longRunning = ['postgres', 'temporal', 'temporal-ui', 'seaweedfs', 'api', 'worker-analysis', 'worker-modeling'];

test('the Temporal server image, not the deprecated auto-setup, after an admin-tools schema job', () => {
  expect(raw).not.toMatch(/auto-setup/);
  expect(compose.services.temporal.image).toMatch(/^temporalio\/server:/);
  expect(compose.services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
  expect(compose.services['temporal-schema'].command.join(' ')).toMatch(/setup-schema[\s\S]*update-schema/);
  expect(compose.services.temporal.depends_on['temporal-schema'].condition).toBe('service_completed_successfully');
});

test('every image is pinned to a version', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    if (svc.build || svc.image.startsWith('assay:')) continue; // built from this checkout
    expect(svc.image, name).toMatch(/:[\w.-]*\d[\w.-]*$/);
    expect(svc.image, name).not.toMatch(/:latest$/);
  }
});

test('long-running services have health checks and restart policies; dependents wait for health', () => {
  for (const name of longRunning) {
    expect(compose.services[name].healthcheck?.test, `${name} healthcheck`).toBeDefined();
    expect(compose.services[name].restart, `${name} restart`).toBe('unless-stopped');
  }
  for (const name of ['api', 'worker-analysis', 'worker-modeling', 'temporal-ui', 'temporal-setup']) {
    const deps = compose.services[name].depends_on as Record<string, { condition: string }>;
    expect(Array.isArray(deps), `${name} depends_on must name conditions`).toBe(false);
    for (const [dep, d] of Object.entries(deps)) expect(['service_healthy', 'service_completed_successfully'], `${name} → ${dep}`).toContain(d.condition);
  }
});

test('no default secrets: compose refuses to start without them', () => {
  for (const secret of ['JWT_SECRET', 'POSTGRES_PASSWORD', 'S3_SECRET_ACCESS_KEY']) {
    expect(raw).toMatch(new RegExp(`\\$\\{${secret}:\\?`));
    expect(raw, secret).not.toMatch(new RegExp(`\\$\\{${secret}:-`));
  }
  expect(raw).not.toMatch(/change-me|POSTGRES_PASSWORD: assay\b/);
});

test("Assay's processes run the compiled build as a non-root user", () => {
  for (const name of ['api', 'worker-analysis', 'worker-modeling']) {
    expect(compose.services[name].command.join(' ')).toMatch(/^node dist\/(api|worker)\/main\.js$/);
  }
  for (const name of ['temporal-schema', 'temporal-setup', 'seaweedfs']) expect(compose.services[name].user, name).toMatch(/^[1-9]\d*:/);
});

test('the Grafana dashboard charts metrics Assay and the Temporal SDK really export', () => {
  const dash = JSON.parse(fs.readFileSync('deploy/grafana/dashboards/assay.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const exported = fs.readFileSync('api/metrics.ts', 'utf8') + fs.readFileSync('api/routes/system.ts', 'utf8');
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr));
  expect(exprs.length).toBeGreaterThan(5);
  for (const name of new Set(exprs.flatMap((e) => e.match(/\bassay_[a-z_]+/g) ?? []))) {
    expect(exported, name).toContain(name.replace(/_(sum|count)$/, ''));
  }
  for (const sdk of ['temporal_activity_execution_latency', 'temporal_activity_execution_failed', 'temporal_worker_task_slots_available']) {
    expect(exprs.join(' ')).toContain(sdk);
  }
  expect(compose.services.prometheus.profiles).toEqual(['monitoring']); // off unless asked for
  expect(compose.services.grafana.ports).toEqual(['127.0.0.1:3000:3000']);
});
