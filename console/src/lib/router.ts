/** Client routes of the console (History API paths; the edge answers every one with index.html). */
export type Route =
  | { screen: "home" }
  | { screen: "library"; artist?: string; album?: string }
  | { screen: "show"; project?: string }
  | { screen: "docs"; api?: string }
  | { screen: "analysis" }
  | { screen: "media" }
  | { screen: "notfound"; path: string };

export const SCREENS = ["home", "library", "show", "docs"] as const;

export function parseRoute(pathname: string, search = ""): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  const [head, arg] = parts;
  if (!head) return { screen: "home" };
  if (head === "library" && parts.length <= 1) {
    const route: Route = { screen: "library" };
    const artist = query.get("artist");
    const album = query.get("album");
    if (artist) route.artist = artist;
    if (album) route.album = album;
    return route;
  }
  if (head === "show" && parts.length <= 2) return arg ? { screen: "show", project: arg } : { screen: "show" };
  if (head === "media" && parts.length <= 1) return { screen: "media" };
  if (head === "analysis" && parts.length <= 1) return { screen: "analysis" };
  if (head === "docs" && parts.length <= 2) return arg ? { screen: "docs", api: arg } : { screen: "docs" };
  return { screen: "notfound", path: pathname };
}

export function routeHref(route: Route): string {
  switch (route.screen) {
    case "home":
      return "/";
    case "library": {
      const q = new URLSearchParams();
      if (route.artist) q.set("artist", route.artist);
      if (route.album) q.set("album", route.album);
      const s = q.toString();
      return s ? `/library?${s}` : "/library";
    }
    case "show":
      return route.project ? `/show/${encodeURIComponent(route.project)}` : "/show";
    case "media":
      return "/media";
    case "analysis":
      return "/analysis";
    case "docs":
      return route.api ? `/docs/${encodeURIComponent(route.api)}` : "/docs";
    default:
      return "/";
  }
}

type Listener = (route: Route) => void;
const listeners = new Set<Listener>();

export function currentRoute(): Route {
  return parseRoute(location.pathname, location.search);
}

export function navigate(href: string): void {
  history.pushState(null, "", href);
  const route = currentRoute();
  for (const l of listeners) l(route);
}

export function onRoute(listener: Listener): () => void {
  listeners.add(listener);
  const pop = () => listener(currentRoute());
  addEventListener("popstate", pop);
  return () => {
    listeners.delete(listener);
    removeEventListener("popstate", pop);
  };
}
