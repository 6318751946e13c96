/** The console shell: navigation, token field, light/dark switch, and the current screen (each screen
 *  is its own module, loaded when first shown). */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { currentRoute, navigate, onRoute, type Route } from "./lib/router";
import { getToken, onToken, setToken } from "./lib/token";

type Screen = ComponentType<{ route: Route }>;
const loaders: Record<string, () => Promise<Screen>> = {
  home: () => import("./screens/home").then((m) => m.Home),
  library: () => import("./screens/library").then((m) => m.Library),
  show: () => import("./screens/show").then((m) => m.Show),
  docs: () => import("./screens/docs").then((m) => m.Docs),
  media: () => import("./screens/media").then((m) => m.Media),
  analysis: () => import("./screens/analysis").then((m) => m.Analysis),
};
const NAV: [string, string][] = [
  ["/", "Home"],
  ["/library", "Library"],
  ["/show", "Show"],
  ["/analysis", "Analysis"],
  ["/media", "Media store"],
  ["/docs", "API docs"],
];

/** Same-origin links navigate inside the app (no reload). */
function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const a = (event.target as Element | null)?.closest?.("a");
  if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
  const path = a.pathname;
  if (!(path === "/" || /^\/(library|show|docs|media|analysis)(\/|$)/.test(path))) return;
  event.preventDefault();
  navigate(path + a.search);
}

function TokenField() {
  const [token, setLocal] = useState(getToken());
  const [draft, setDraft] = useState("");
  useEffect(() => onToken(setLocal), []);
  if (token) {
    return (
      <form class="token" onSubmit={(e) => (e.preventDefault(), setToken(""))}>
        <span data-testid="token-state">writes unlocked</span>
        <button type="submit" class="secondary outline">Lock</button>
      </form>
    );
  }
  return (
    <form class="token" onSubmit={(e) => (e.preventDefault(), setToken(draft), setDraft(""))}>
      <label for="token-input" class="visually-hidden">Write token</label>
      <input id="token-input" type="password" placeholder="write token" autocomplete="off" value={draft}
        onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={!draft.trim()}>Unlock writes</button>
    </form>
  );
}

function ThemeSwitch() {
  const [theme, setTheme] = useState(localStorage.getItem("polyphony.theme") ?? "");
  useEffect(() => {
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    localStorage.setItem("polyphony.theme", theme);
  }, [theme]);
  return (
    <label class="theme">
      <span class="visually-hidden">Colour scheme</span>
      <select value={theme} onChange={(e) => setTheme((e.target as HTMLSelectElement).value)} aria-label="Colour scheme">
        <option value="">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

export function App() {
  const [route, setRoute] = useState<Route>(currentRoute());
  const [screen, setScreen] = useState<{ name: string; component: Screen } | null>(null);
  const [failed, setFailed] = useState("");
  useEffect(() => onRoute(setRoute), []);
  useEffect(() => {
    document.addEventListener("click", interceptLinks);
    return () => document.removeEventListener("click", interceptLinks);
  }, []);
  useEffect(() => {
    const load = loaders[route.screen];
    if (!load || screen?.name === route.screen) return;
    load().then((component) => setScreen({ name: route.screen, component }), (e) => setFailed(String(e)));
  }, [route.screen]);
  const Current = screen?.name === route.screen ? screen.component : null;
  const here = "/" + (location.pathname.split("/")[1] ?? "");
  return (
    <>
      <header class="container-fluid topbar">
        <nav aria-label="Main">
          <ul>
            <li><a href="/" class="brand"><strong>Polyphony</strong></a></li>
          </ul>
          <ul class="screens">
            {NAV.map(([href, label]) => (
              <li><a href={href} aria-current={href === here ? "page" : undefined}>{label}</a></li>
            ))}
          </ul>
          <ul>
            <li><TokenField /></li>
            <li><ThemeSwitch /></li>
          </ul>
        </nav>
      </header>
      <main class="container">
        {route.screen === "notfound" ? (
          <article><h1>Not found</h1><p>No screen at <code>{route.path}</code>. <a href="/">Home</a></p></article>
        ) : failed ? (
          <p role="alert">Could not load this screen: {failed}</p>
        ) : Current ? (
          <Current route={route} />
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
      </main>
    </>
  );
}
