import { useState } from 'preact/hooks';
import { api, messageOf, session, unwrap, type User } from '../api.js';
import { ErrorLine } from '../ui.js';

/** Sign in, or create an account; the token goes to sessionStorage. */
export function SignIn({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = mode === 'register'
        ? await unwrap(api.POST('/auth/register', { body: { name, email, password } }))
        : await unwrap(api.POST('/auth/login', { body: { email, password } }));
      session.set(out.access_token);
      onSignedIn(out.user);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow">
      <h1>{mode === 'login' ? 'Sign in' : 'Create an account'}</h1>
      <p>Upload a table; Assay profiles it, asks when the target is unclear, trains cross-validated models and writes a report.</p>
      <form onSubmit={submit}>
        {mode === 'register' && (
          <label>Name<input id="name" autocomplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        )}
        <label>Email<input id="email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label>Password{mode === 'register' && <span class="hint"> (at least 8 characters)</span>}
          <input id="password" type="password" autocomplete={mode === 'login' ? 'current-password' : 'new-password'} required minLength={mode === 'register' ? 8 : 1}
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorLine error={error} />
        <button id="submit" type="submit" disabled={busy}>{mode === 'login' ? 'Sign in' : 'Create account'}</button>
      </form>
      <p>
        {mode === 'login' ? 'No account yet? ' : 'Have an account? '}
        <button id="switch-mode" type="button" class="link" onClick={() => { setMode(mode === 'login' ? 'register' : 'login'); setError(null); }}>
          {mode === 'login' ? 'Create one' : 'Sign in'}
        </button>
      </p>
    </section>
  );
}
