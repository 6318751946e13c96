/** Helpers for the Show screen: cue payload summaries, project labels, asset paths. */
export interface HistoryEntry {
  sequence: string;
  time: string;
  summary: string;
}

/** A one-line summary of a cue payload (the JSON object a cue carries, or JSON text): its
 *  displayContent/content keys and values. */
export function summarizePayload(payload: unknown, max = 80): string {
  let doc: unknown = payload;
  if (typeof payload === "string") {
    try {
      doc = JSON.parse(payload);
    } catch {
      return payload.slice(0, max);
    }
  }
  const obj = (doc && typeof doc === "object" ? doc : {}) as Record<string, unknown>;
  const content = (obj.displayContent ?? obj.content ?? obj) as unknown;
  const text =
    content && typeof content === "object"
      ? Object.entries(content as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(", ")
      : JSON.stringify(content);
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** A project's display label: the first label (or path) part joined with " / ". */
export function projectTitle(path: string[], labels: unknown[] | undefined): string {
  const l = (labels ?? []).filter((x): x is string => typeof x === "string" && x !== "");
  return (l.length ? l : path).join(" / ") || "(unnamed)";
}

/** The asset path inside a channel a dropped/selected file goes to: `<folder>/<file name>` (no `..`). */
export function assetPath(folder: string, fileName: string): string {
  const parts = [...folder.split("/"), fileName].map((p) => p.trim()).filter((p) => p && p !== "." && p !== "..");
  return parts.join("/");
}

/** The public audience URL for a project (and channel). */
export function audienceUrl(origin: string, project: string, channel?: string): string {
  const q = new URLSearchParams({ project });
  if (channel) q.set("channel", channel);
  return `${origin}/opentheater/app/audience.html?${q}`;
}

/** True when a channel's files live on this server (no provisioningUri, or ours: `/opentheater/files/<p>/<c>/`),
 *  so they can be uploaded, replaced and deleted here. */
export function filesHostedHere(provisioningUri: string | undefined, project: string, channel: string): boolean {
  if (!provisioningUri) return true;
  try {
    return new URL(provisioningUri, "http://x").pathname === `/opentheater/files/${project}/${channel}/`;
  } catch {
    return false;
  }
}

/** A file size for people: bytes below 1 KiB, then KiB / MiB / GiB with one decimal below 10. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "–";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), (u += 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
