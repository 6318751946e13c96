import { describe, expect, it } from "vitest";
import { parseRoute, routeHref } from "../src/lib/router";

describe("router", () => {
  it("parses the client routes", () => {
    expect(parseRoute("/")).toEqual({ screen: "home" });
    expect(parseRoute("/library", "?artist=The%20Oscillators")).toEqual({ screen: "library", artist: "The Oscillators" });
    expect(parseRoute("/show/09a7506a")).toEqual({ screen: "show", project: "09a7506a" });
    expect(parseRoute("/docs/tams")).toEqual({ screen: "docs", api: "tams" });
    expect(parseRoute("/media")).toEqual({ screen: "media" });
    expect(parseRoute("/nope/x/y")).toEqual({ screen: "notfound", path: "/nope/x/y" });
  });
  it("round-trips hrefs", () => {
    for (const href of ["/", "/library?artist=A+B&album=C", "/show/abc", "/docs/aura", "/media"]) {
      const [path, search = ""] = href.split("?");
      expect(routeHref(parseRoute(path, search ? `?${search}` : ""))).toBe(href);
    }
  });
});
