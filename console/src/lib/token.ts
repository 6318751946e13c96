/** The write token, kept in session storage (gone when the tab closes); listeners re-render on change. */
const KEY = "polyphony.token";
type Listener = (token: string) => void;
const listeners = new Set<Listener>();

function storage(): Storage | undefined {
  return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
}

export function getToken(): string {
  return storage()?.getItem(KEY) ?? "";
}

export function setToken(token: string): void {
  const value = token.trim();
  if (value) storage()?.setItem(KEY, value);
  else storage()?.removeItem(KEY);
  for (const listener of listeners) listener(value);
}

export function onToken(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Headers for a REST call: Authorization only when a token is set. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}
