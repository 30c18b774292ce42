// A small history router: the app's pages live under /app (the API's own routes never do), `/` is the start page.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/** Goes to an app path without reloading. */
export function navigate(to: string): void {
  history.pushState(null, '', to);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

/** The current path; re-renders on navigation and on the back button. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => { listeners.delete(update); window.removeEventListener('popstate', update); };
  }, []);
  return path;
}

/** Plain links keep working (middle-click, copy); a left click navigates in place. */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.target as Element).closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !(url.pathname === '/' || url.pathname.startsWith('/app'))) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
