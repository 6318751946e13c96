/** Media store (TAMS): flows with filters, a flow's segment timeline that asks only for the visible
 *  timerange (zoom from a millisecond to years, gaps visible), segment details with their get_urls,
 *  webhooks and delete requests. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Flow, FlowDeleteRequest, Segment, Webhook } from "@gen/polyphony/api/flow/v1/flow_pb.js";
import { errorText } from "../lib/client";
import { getToken, onToken } from "../lib/token";
import { flow as tams } from "../lib/rpc/flow";
import { formatSeconds, formatTimerange, pan, parseTimerange, zoom, type View } from "../lib/timerange";

const SEGMENT_LIMIT = 2000;

function useToken(): string {
  const [token, setTok] = useState(getToken());
  useEffect(() => onToken(setTok), []);
  return token;
}

function Flows({ selected, onSelect }: { selected?: string; onSelect: (f: Flow) => void }) {
  const token = useToken(); // TAMS reads may need a token: list again once one is entered
  const [filters, setFilters] = useState({ format: "", codec: "", label: "" });
  const [applied, setApplied] = useState(filters);
  const [flows, setFlows] = useState<Flow[] | null>(null);
  const [next, setNext] = useState("");
  const [error, setError] = useState("");
  const load = (page: string, append: boolean) =>
    tams.listFlows({ ...applied, limit: 100, page }).then((r) => {
      setFlows((old) => (append ? [...(old ?? []), ...r.flows] : r.flows));
      setNext(r.nextPage);
    }, (e) => setError(errorText(e)));
  useEffect(() => (setError(""), void load("", false)), [applied, token]);
  const field = (k: keyof typeof filters, label: string, hint: string) => (
    <label>{label}
      <input value={filters[k]} placeholder={hint} onInput={(e) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value.trim() })} />
    </label>
  );
  return (
    <section aria-label="Flows">
      <form class="row" onSubmit={(e) => (e.preventDefault(), setApplied(filters))}>
        {field("format", "Format", "urn:x-nmos:format:audio")}
        {field("codec", "Codec", "audio/wav")}
        {field("label", "Label", "exact label")}
        <button type="submit">Filter</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      <table class="striped" data-testid="flows">
        <thead><tr><th>Label</th><th>Format</th><th>Codec</th><th>Source</th></tr></thead>
        <tbody>
          {(flows ?? []).map((f) => (
            <tr aria-selected={f.id === selected}>
              <td><a href="#" onClick={(e) => (e.preventDefault(), onSelect(f))} data-flow-id={f.id}>{f.label || f.id}</a></td>
              <td>{f.format.replace("urn:x-nmos:format:", "")}</td>
              <td>{f.codec ?? ""}</td>
              <td><small><code>{f.sourceId.slice(0, 8)}</code></small></td>
            </tr>
          ))}
          {flows && !flows.length ? <tr><td colSpan={4} class="muted">No flows match.</td></tr> : null}
        </tbody>
      </table>
      {next ? <button class="secondary outline" onClick={() => load(next, true)}>More flows</button> : null}
    </section>
  );
}

function Timeline({ flow }: { flow: Flow }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const whole = parseTimerange(flow.timerange ?? "") ?? { start: 0, end: 10 };
  const initial: View = { start: whole.start ?? 0, end: whole.end ?? (whole.start ?? 0) + 10 };
  if (initial.end <= initial.start) initial.end = initial.start + 1;
  const [view, setView] = useState<View>(initial);
  const [segments, setSegments] = useState<{ seg: Segment; start: number; end: number }[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [picked, setPicked] = useState<Segment | null>(null);
  const [error, setError] = useState("");
  const [requests, setRequests] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      setRequests((n) => n + 1);
      tams.listSegments({ flowId: flow.id, timerange: formatTimerange(view.start, view.end), limit: SEGMENT_LIMIT }, { signal: abort.signal }).then(
        (r) => {
          setSegments(r.segments.map((seg) => {
            const tr = parseTimerange(seg.timerange);
            return { seg, start: tr?.start ?? 0, end: tr?.end ?? tr?.start ?? 0 };
          }));
          setTruncated(Boolean(r.nextPage));
          setError("");
        },
        (e) => !abort.signal.aborted && setError(errorText(e)),
      );
    }, 120); // while zooming or panning, ask once the view settles
    return () => (clearTimeout(timer), abort.abort());
  }, [flow.id, view.start, view.end]);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const width = (c.width = c.clientWidth * devicePixelRatio);
    const height = (c.height = 64 * devicePixelRatio);
    const g = c.getContext("2d")!;
    const css = getComputedStyle(c);
    g.clearRect(0, 0, width, height);
    g.fillStyle = css.getPropertyValue("--pico-muted-border-color") || "#ccc";
    g.fillRect(0, height / 2 - 1, width, 2);
    const x = (t: number) => ((t - view.start) / (view.end - view.start)) * width;
    for (const s of segments) {
      g.fillStyle = s.seg === picked ? "#d93526" : css.getPropertyValue("--pico-primary") || "#0172ad";
      g.fillRect(x(s.start), 8 * devicePixelRatio, Math.max(1, x(s.end) - x(s.start) - 1), height - 16 * devicePixelRatio);
    }
  }, [segments, view, picked]);
  const at = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    setView((v) => (e.shiftKey ? pan(v, e.deltaY > 0 ? 0.1 : -0.1) : zoom(v, e.deltaY > 0 ? 1.25 : 0.8, at(e))));
  };
  const onClick = (e: MouseEvent) => {
    const t = view.start + at(e) * (view.end - view.start);
    setPicked(segments.find((s) => s.start <= t && t < s.end)?.seg ?? null);
  };
  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, (v: View) => View> = {
      ArrowLeft: (v) => pan(v, -0.1), ArrowRight: (v) => pan(v, 0.1), "+": (v) => zoom(v, 0.5), "-": (v) => zoom(v, 2),
    };
    if (moves[e.key]) (e.preventDefault(), setView(moves[e.key]));
  };
  return (
    <article>
      <header>
        <strong>Segments</strong> <span class="muted" data-testid="segment-count">{segments.length}{truncated ? "+" : ""} in view</span>
        <small class="muted"> · {formatSeconds(view.start)} – {formatSeconds(view.end)}</small>
      </header>
      <div class="row">
        <button class="secondary outline" onClick={() => setView((v) => pan(v, -0.5))} aria-label="Earlier">‹</button>
        <button class="secondary outline" onClick={() => setView((v) => zoom(v, 0.5))} aria-label="Zoom in">+</button>
        <button class="secondary outline" onClick={() => setView((v) => zoom(v, 2))} aria-label="Zoom out">−</button>
        <button class="secondary outline" onClick={() => setView((v) => pan(v, 0.5))} aria-label="Later">›</button>
        <button class="secondary outline" onClick={() => setView(initial)}>Whole flow</button>
      </div>
      <canvas ref={canvas} class="timeline" tabIndex={0} role="img" data-testid="timeline" data-requests={requests}
        aria-label={`Segment timeline from ${formatSeconds(view.start)} to ${formatSeconds(view.end)}; arrow keys pan, + and - zoom`}
        onWheel={onWheel} onClick={onClick} onKeyDown={onKey} />
      {truncated ? <p><small class="muted">More than {SEGMENT_LIMIT} segments in view: zoom in to see them all.</small></p> : null}
      {error ? <p role="alert">{error}</p> : null}
      {picked ? (
        <dl class="details" data-testid="segment-details">
          <dt>timerange</dt><dd><code>{picked.timerange}</code></dd>
          <dt>object</dt><dd><code>{picked.objectId}</code></dd>
          {picked.getUrls.map((u) => (<><dt>get_url {u.label ?? ""}</dt><dd><a href={u.url}>{u.url}</a></dd></>))}
        </dl>
      ) : <p><small class="muted">Click a segment for its details.</small></p>}
    </article>
  );
}

function Hooks() {
  const token = useToken();
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [deletes, setDeletes] = useState<FlowDeleteRequest[] | null>(null);
  const [hookError, setHookError] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    setHookError("");
    tams.listWebhooks({}).then((r) => setHooks(r.webhooks), (e) => setHookError(errorText(e)));
    tams.listFlowDeleteRequests({}).then((r) => setDeletes(r.requests), (e) => setError(errorText(e)));
  }, [token]);
  return (
    <div class="grid">
      <article>
        <header><strong>Webhooks</strong></header>
        <ul data-testid="webhooks">{(hooks ?? []).map((h) => <li><code>{h.url}</code> <small class="muted">{h.events.join(", ")} · {h.status ?? ""}</small></li>)}</ul>
        {hooks && !hooks.length ? <p class="muted">None registered.</p> : null}
        {hookError ? <p><small class="muted">{token ? hookError : "Unlock writes with a token to list webhooks."}</small></p> : null}
      </article>
      <article>
        <header><strong>Delete requests</strong></header>
        <ul>{(deletes ?? []).map((d) => <li><code>{d.flowId}</code> {d.timerangeToDelete} <small class="muted">{d.status}</small></li>)}</ul>
        {deletes && !deletes.length ? <p class="muted">None.</p> : null}
      </article>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}

export function Media() {
  const [flow, setFlow] = useState<Flow | null>(null);
  const select = (f: Flow) =>
    tams.getFlow({ flowId: f.id, includeTimerange: true }).then(setFlow, () => setFlow(f));
  return (
    <section>
      <h1>Media store</h1>
      <Flows selected={flow?.id} onSelect={select} />
      {flow ? (
        <>
          <h2 data-testid="flow-title">{flow.label || flow.id}</h2>
          <p class="muted"><code>{flow.id}</code> · source <code>{flow.sourceId}</code> · {flow.timerange ?? "no segments"}</p>
          <Timeline key={flow.id} flow={flow} />
        </>
      ) : null}
      <Hooks />
    </section>
  );
}
