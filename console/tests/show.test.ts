import { describe, expect, it } from "vitest";
import { assetPath, audienceUrl, filesHostedHere, formatBytes, projectTitle, summarizePayload } from "../src/lib/cues";
import { countPages, showCount } from "../src/lib/count";

describe("show helpers", () => {
  it("summarises cue payloads", () => {
    expect(summarizePayload('{"displayContent":{"text_de":"Hallo"}}')).toBe("text_de: Hallo");
    expect(summarizePayload("not json")).toBe("not json");
    expect(summarizePayload({ content: { text_de: "Objekt", n: 2 } })).toBe("text_de: Objekt, n: 2"); // a cue's Struct
    expect(summarizePayload(undefined)).toBe("");
    expect(summarizePayload(JSON.stringify({ content: { t: "x".repeat(200) } }), 20)).toHaveLength(20);
  });
  it("makes safe asset paths", () => {
    expect(assetPath("video", "intro.mp4")).toBe("video/intro.mp4");
    expect(assetPath("../../etc", "a.txt")).toBe("etc/a.txt");
    expect(assetPath("", "a.txt")).toBe("a.txt");
  });
  it("tells hosted channels from externally provisioned ones", () => {
    expect(filesHostedHere(undefined, "p", "c")).toBe(true);
    expect(filesHostedHere("http://localhost:8080/opentheater/files/p/c/", "p", "c")).toBe(true);
    expect(filesHostedHere("https://open-theater.de/example-repo/x/", "p", "c")).toBe(false);
    expect(filesHostedHere("http://localhost:8080/opentheater/files/p/other/", "p", "c")).toBe(false);
  });
  it("formats sizes", () => {
    expect(formatBytes(11)).toBe("11 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MiB");
  });
  it("labels projects and links audiences", () => {
    expect(projectTitle(["HOUSE", "SHOW"], ["House", "Show"])).toBe("House / Show");
    expect(projectTitle(["HOUSE"], [])).toBe("HOUSE");
    expect(audienceUrl("http://h:1", "p", "c")).toBe("http://h:1/opentheater/app/audience.html?project=p&channel=c");
  });
});

describe("counting", () => {
  it("pages until the end or the cap", async () => {
    const pages = (n: number) => async (c: string | null) => {
      const at = Number(c ?? 0);
      return { rows: Math.min(10, n - at), next: at + 10 < n ? String(at + 10) : null };
    };
    expect(await countPages(pages(35), 100)).toEqual({ value: 35, atLeast: false });
    expect(await countPages(pages(500), 100)).toEqual({ value: 100, atLeast: true });
    expect(showCount({ value: 10000, atLeast: true })).toBe("≥ 10,000");
  });
});
