import { useEffect, useState } from 'preact/hooks';
import { api, isUnauthorized, session, unwrap, type User } from './api.js';
import { AdminPage } from './pages/admin.js';
import { DatasetPage } from './pages/dataset.js';
import { DatasetsPage } from './pages/datasets.js';
import { ModelPage } from './pages/model.js';
import { ModelsPage } from './pages/models.js';
import { RunPage } from './pages/run.js';
import { RunsPage } from './pages/runs.js';
import { SignIn } from './pages/sign-in.js';
import { navigate, onLinkClick, usePath } from './router.js';

/** The page for a path under /app; `/` is the datasets page. */
function route(path: string, user: User) {
  const m = (re: RegExp) => re.exec(path)?.[1];
  let id: string | undefined;
  if ((id = m(/^\/app\/datasets\/([\w-]+)$/))) return <DatasetPage id={id} />;
  if ((id = m(/^\/app\/runs\/([\w-]+)$/))) return <RunPage id={id} />;
  if ((id = m(/^\/app\/models\/([\w-]+)$/))) return <ModelPage id={id} />;
  if (path === '/app/runs') return <RunsPage />;
  if (path === '/app/models') return <ModelsPage />;
  if (path === '/app/admin' && user.role === 'admin') return <AdminPage />;
  if (path === '/' || path === '/app' || path === '/app/datasets') return <DatasetsPage />;
  return <p>There is no page at {path}. <a href="/">Go to your datasets</a>.</p>;
}

export function App() {
  const path = usePath();
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);

  useEffect(() => {
    if (!session.token()) { setChecked(true); return; }
    unwrap(api.GET('/auth/me')).then(setUser, (e: unknown) => { if (isUnauthorized(e)) session.clear(); }).finally(() => setChecked(true));
  }, []);

  const signOut = () => { session.clear(); setUser(null); navigate('/'); };
  const nav = [['/', 'Datasets'], ['/app/runs', 'Runs'], ['/app/models', 'Models'], ...(user?.role === 'admin' ? [['/app/admin', 'Admin']] : [])];
  const current = (href: string) => (href === '/' ? path === '/' || path.startsWith('/app/datasets') : path.startsWith(href));

  return (
    <div onClick={onLinkClick}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href="/">Assay</a>
        {user && (
          <nav aria-label="Main">
            <ul>{nav.map(([href, label]) => <li key={href}><a href={href} aria-current={current(href) ? 'page' : undefined}>{label}</a></li>)}</ul>
          </nav>
        )}
        {user && <span class="who"><span id="who">{user.email}</span> <button type="button" class="link" onClick={signOut}>Sign out</button></span>}
      </header>
      <main id="main">
        {!checked ? <p aria-live="polite">Loading…</p> : user ? route(path, user) : <SignIn onSignedIn={setUser} />}
      </main>
      <footer><a href="/docs">API reference</a></footer>
    </div>
  );
}
