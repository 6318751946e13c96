/** TAMS timeranges (`[<s>:<ns>_<s>:<ns>)`, either end optional, `()` empty) as seconds, and the view of
 *  a zoomable timeline over them. Seconds are doubles: fine for drawing, never sent back rounded (the
 *  strings the server gave are kept for requests about one segment). */
export interface Range {
  start: number | null; // null: unbounded
  end: number | null;
}

function stamp(text: string): number | null {
  if (!text) return null;
  const m = /^(-?)(\d+):(\d+)$/.exec(text);
  if (!m) throw new Error(`not a TAMS timestamp: ${text}`);
  const v = Number(m[2]) + Number(m[3]) / 1e9;
  return m[1] ? -v : v;
}

export function parseTimerange(text: string): Range | null {
  const t = text.trim();
  if (t === "()" || t === "") return null; // empty
  const m = /^([[(]?)([^_\])]*)(?:_([^\])]*))?([\])]?)$/.exec(t);
  if (!m) throw new Error(`not a TAMS timerange: ${text}`);
  const start = stamp(m[2]);
  const end = m[3] === undefined ? start : stamp(m[3]);
  return { start, end };
}

export function formatStamp(seconds: number): string {
  const neg = seconds < 0;
  const abs = Math.abs(seconds);
  let s = Math.floor(abs);
  let ns = Math.round((abs - s) * 1e9);
  if (ns >= 1e9) (s += 1), (ns -= 1e9);
  return `${neg ? "-" : ""}${s}:${ns}`;
}

/** The half-open timerange `[start_end)` the server is asked for when the view shows start..end. */
export function formatTimerange(start: number, end: number): string {
  return `[${formatStamp(start)}_${formatStamp(end)})`;
}

export interface View {
  start: number;
  end: number;
}

const MIN_SPAN = 0.001; // 1 ms
const MAX_SPAN = 60 * 60 * 24 * 365 * 10; // ten years

/** Zoom by `factor` (<1 in, >1 out) around the point at fraction `at` (0..1) of the view. */
export function zoom(view: View, factor: number, at = 0.5): View {
  const span = view.end - view.start;
  const next = Math.min(MAX_SPAN, Math.max(MIN_SPAN, span * factor));
  const pivot = view.start + span * at;
  return { start: pivot - (pivot - view.start) * (next / span), end: pivot + (view.end - pivot) * (next / span) };
}

/** Move the view by `fraction` of its span (negative: earlier). */
export function pan(view: View, fraction: number): View {
  const d = (view.end - view.start) * fraction;
  return { start: view.start + d, end: view.end + d };
}

/** Seconds as a short human label for the view's scale (e.g. `1:02:03.5`, `3 d 4:00:00`). */
export function formatSeconds(t: number): string {
  const sign = t < 0 ? "-" : "";
  let v = Math.abs(t);
  const days = Math.floor(v / 86400);
  v -= days * 86400;
  const h = Math.floor(v / 3600);
  const m = Math.floor((v % 3600) / 60);
  const s = v % 60;
  const whole = Math.floor(s);
  const frac = s - whole ? (s - whole).toFixed(3).slice(1).replace(/0+$/, "") : "";
  const ss = String(whole).padStart(2, "0") + frac;
  return `${sign}${days ? `${days} d ` : ""}${h}:${String(m).padStart(2, "0")}:${ss}`;
}
