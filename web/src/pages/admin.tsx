import { api, unwrap } from '../api.js';
import { ErrorLine, Section, Table, useLoad } from '../ui.js';

const rowsOf = (v: unknown): Record<string, unknown>[] => {
  const items = (v as { items?: unknown[] } | null)?.items ?? (Array.isArray(v) ? v : []);
  return items as Record<string, unknown>[];
};
const columnsOf = (rows: Record<string, unknown>[]) => [...new Set(rows.flatMap((r) => Object.keys(r)))];

/** For admins: every user, counts and stage durations, recent log lines across runs. */
export function AdminPage() {
  const users = useLoad(() => unwrap(api.GET('/admin/users')), []);
  const stats = useLoad(() => unwrap(api.GET('/admin/stats')), []);
  const logs = useLoad(() => unwrap(api.GET('/admin/logs', { params: { query: { limit: 50 } } })), []);
  const u = rowsOf(users.data), l = rowsOf(logs.data);
  return (
    <>
      <h1>Admin</h1>
      <Section title="Users">
        <ErrorLine error={users.error} />
        {u.length > 0 && <Table caption={`${u.length} users`} columns={columnsOf(u)} rows={u} />}
      </Section>
      <Section title="Statistics">
        <ErrorLine error={stats.error} />
        {stats.data != null && <pre class="json">{JSON.stringify(stats.data, null, 2)}</pre>}
      </Section>
      <Section title="Recent log lines">
        <ErrorLine error={logs.error} />
        {l.length > 0 && <Table caption="The latest 50 log lines across runs" columns={columnsOf(l)} rows={l} />}
      </Section>
    </>
  );
}
