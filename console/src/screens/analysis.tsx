/** Analysis (TimeSide): items (drag-and-drop upload), presets, run a task and watch its progress over
 *  the WatchTask stream, the item's waveform on a zoomable time axis (uPlot: drag to zoom, double-click
 *  to reset) with a playback cursor, and each result's visual and export links. */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Item, Preset, Result } from "@gen/polyphony/api/analysis/v1/analysis_pb.js";
import { errorText } from "../lib/client";
import { analysis } from "../lib/rpc/analysis";
import { authHeaders, getToken, onToken } from "../lib/token";

const EXPORTS = ["json", "yaml", "xml", "hdf5", "audio"];
const STATUS: Record<number, string> = { 0: "failed", 1: "draft", 2: "pending", 3: "running", 4: "done" };

function useToken(): string {
  const [token, setTok] = useState(getToken());
  useEffect(() => onToken(setTok), []);
  return token;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

function Upload({ onDone }: { onDone: () => void }) {
  const token = useToken();
  const [over, setOver] = useState(false);
  const [message, setMessage] = useState("");
  const send = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const form = new FormData();
      form.set("title", file.name.replace(/\.[^.]+$/, ""));
      form.set("source_file", file);
      // uploads go over REST: gRPC-web cannot stream a request body from a browser
      const resp = await fetch("/timeside/api/items/", { method: "POST", body: form, headers: authHeaders() });
      const doc = await resp.json().catch(() => ({}));
      setMessage(resp.ok ? `added ${doc.title ?? file.name}` : `${file.name}: ${doc.detail ?? JSON.stringify(doc)}`);
    }
    onDone();
  };
  return (
    <label class={`drop${over ? " over" : ""}`} data-testid="drop"
      onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)}
      onDrop={(e) => (e.preventDefault(), setOver(false), token && send(e.dataTransfer?.files ?? null))}>
      {token ? "Drop audio files here, or choose them" : "Add items: unlock writes with a token first"}
      <input type="file" accept="audio/*" multiple disabled={!token} data-testid="item-file" onChange={(e) => send((e.target as HTMLInputElement).files)} />
      <small aria-live="polite" data-testid="upload-message">{message}</small>
    </label>
  );
}

function Waveform({ item }: { item: Item }) {
  const host = useRef<HTMLDivElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let plot: uPlot | null = null;
    const el = host.current!;
    analysis.getItemWaveform({ uuid: item.uuid ?? "", points: 1200 }).then((w) => {
      const cursor = (u: uPlot) => {
        const t = audio.current?.currentTime ?? 0;
        const x = u.valToPos(t, "x", true);
        const g = u.ctx;
        g.save();
        g.strokeStyle = "#d93526";
        g.lineWidth = 2;
        g.beginPath();
        g.moveTo(x, u.bbox.top);
        g.lineTo(x, u.bbox.top + u.bbox.height);
        g.stroke();
        g.restore();
      };
      plot = new uPlot(
        {
          width: el.clientWidth || 800,
          height: 180,
          scales: { x: { time: false } },
          axes: [{ label: "seconds", stroke: "currentColor" }, { stroke: "currentColor" }],
          series: [{ label: "time" }, { label: "min", stroke: "#0172ad" }, { label: "max", stroke: "#0172ad" }],
          bands: [{ series: [2, 1], fill: "rgba(1,114,173,0.35)" }],
          hooks: { draw: [cursor] },
          cursor: { drag: { x: true, y: false } },
        },
        [w.time, w.min, w.max],
        el,
      );
      el.dataset.points = String(w.time.length);
    }, (e) => setError(errorText(e)));
    const tick = () => plot?.redraw(false, false);
    const a = audio.current;
    a?.addEventListener("timeupdate", tick);
    return () => (a?.removeEventListener("timeupdate", tick), plot?.destroy());
  }, [item.uuid]);
  const src = item.audioUrl["ogg"] ?? item.audioUrl["mp3"] ?? "";
  return (
    <div>
      <div ref={host} class="wave" data-testid="waveform" aria-label="Waveform: drag to zoom, double-click to reset" role="img" />
      {error ? <p role="alert">{error}</p> : null}
      {src ? <audio ref={audio} controls preload="metadata" src={new URL(src, location.origin).pathname} /> : null}
    </div>
  );
}

function Run({ item, onResult }: { item: Item; onResult: () => void }) {
  const token = useToken();
  const [presets, setPresets] = useState<Preset[]>([]);
  const [preset, setPreset] = useState("");
  const [processor, setProcessor] = useState("level");
  const [state, setState] = useState<{ status: string; progress: number } | null>(null);
  const [error, setError] = useState("");
  const load = () => collect(analysis.listPresets({})).then((p) => (setPresets(p), !preset && p[0] && setPreset(p[0].uuid ?? "")), (e) => setError(errorText(e)));
  useEffect(() => void load(), []);
  const newPreset = async () => {
    try {
      const made = await analysis.createPreset({ preset: { processor } });
      await load();
      setPreset(made.uuid ?? "");
    } catch (e) {
      setError(errorText(e));
    }
  };
  const run = async () => {
    setError("");
    try {
      const task = await analysis.createTask({ task: { preset, item: item.uuid } });
      setState({ status: "pending", progress: 0 });
      for await (const ev of analysis.watchTask({ uuid: task.uuid ?? "" })) {
        if (ev.task) setState({ status: STATUS[ev.task.status ?? 2] ?? String(ev.task.status), progress: ev.task.progress ?? 0 });
        if (ev.event === "result") onResult();
        if (ev.event === "failed") setError(ev.task?.error ?? "task failed");
      }
      onResult();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <article>
      <header><strong>Run a preset</strong></header>
      <div class="row">
        <label>Preset
          <select value={preset} onChange={(e) => setPreset((e.target as HTMLSelectElement).value)} data-testid="preset">
            {presets.map((p) => <option value={p.uuid}>{(p.processor ?? "").split("/").filter(Boolean).pop()} ({(p.uuid ?? "").slice(0, 8)})</option>)}
          </select>
        </label>
        <button onClick={run} disabled={!token || !preset} data-testid="run">Run</button>
      </div>
      <div class="row">
        <label>New preset for processor<input value={processor} onInput={(e) => setProcessor((e.target as HTMLInputElement).value.trim())} /></label>
        <button class="secondary" onClick={newPreset} disabled={!token || !processor}>Create preset</button>
      </div>
      {!token ? <small class="muted">Unlock writes with a token to run tasks.</small> : null}
      {state ? (
        <p data-testid="task-state"><progress value={state.progress} max={1} aria-label="Task progress" /> {state.status} {Math.round(state.progress * 100)}%</p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </article>
  );
}

function Results({ item, version }: { item: Item; version: number }) {
  const [results, setResults] = useState<Result[]>([]);
  useEffect(() => {
    collect(analysis.listResults({ itemUuid: item.uuid })).then(setResults, () => setResults([]));
  }, [item.uuid, version]);
  return (
    <article>
      <header><strong>Results</strong> <span class="muted" data-testid="result-count">{results.length}</span></header>
      {results.map((r) => (
        <details>
          <summary>{r.preset?.split("/").filter(Boolean).pop()?.slice(0, 8)} · {r.mimeType} · {r.dateAdded}</summary>
          <p class="row">
            {EXPORTS.filter((f) => r.files[f]).map((f) => (
              <a role="button" class="secondary outline" href={new URL(r.files[f], location.origin).pathname} download>{f.toUpperCase()}</a>
            ))}
          </p>
          {r.mimeType?.startsWith("audio/") ? null : (
            <img src={`/timeside/api/results/${r.uuid}/visual`} alt={`Visual of result ${r.uuid}`} loading="lazy" class="visual"
              onError={(e) => ((e.currentTarget as HTMLImageElement).hidden = true)} />
          )}
        </details>
      ))}
    </article>
  );
}

export function Analysis() {
  const [items, setItems] = useState<Item[] | null>(null);
  const [item, setItem] = useState<Item | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState("");
  const load = () => collect(analysis.listItems({})).then(setItems, (e) => setError(errorText(e)));
  useEffect(() => void load(), []);
  const open = (uuid: string) => analysis.getItem({ uuid }).then(setItem, (e) => setError(errorText(e)));
  return (
    <section>
      <h1>Analysis</h1>
      <Upload onDone={load} />
      {error ? <p role="alert">{error}</p> : null}
      <nav aria-label="Items">
        <ul>{(items ?? []).map((i) => <li><a href="#" data-item={i.uuid} aria-current={i.uuid === item?.uuid ? "page" : undefined} onClick={(e) => (e.preventDefault(), open(i.uuid ?? ""))}>{i.title || i.uuid}</a></li>)}</ul>
      </nav>
      {items && !items.length ? <p class="muted">No items yet.</p> : null}
      {item ? (
        <>
          <h2 data-testid="item-title">{item.title}</h2>
          <Waveform key={item.uuid} item={item} />
          <div class="grid">
            <Run item={item} onResult={() => setVersion((n) => n + 1)} />
            <Results item={item} version={version} />
          </div>
        </>
      ) : null}
    </section>
  );
}
