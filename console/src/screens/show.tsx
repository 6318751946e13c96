/** Show (Open Theater): projects, channels and their assets, the cue list with GO / back / jump, cue
 *  history with live cues (Subscribe stream), and the audience link with a QR code. */
import qrcode from "qrcode-generator";
import { useEffect, useState } from "preact/hooks";
import type { Cue, CueList, FileDefinition, Project } from "@gen/polyphony/api/trigger/v1/trigger_pb.js";
import { errorText } from "../lib/client";
import { trigger } from "../lib/rpc/trigger";
import { assetPath, audienceUrl, filesHostedHere, formatBytes, projectTitle, summarizePayload, type HistoryEntry } from "../lib/cues";
import { routeHref, type Route } from "../lib/router";
import { authHeaders, getToken, onToken } from "../lib/token";

function useToken(): string {
  const [token, setTok] = useState(getToken());
  useEffect(() => onToken(setTok), []);
  return token;
}

function labelOf(p: Project): string {
  return projectTitle(p.projectPath, p.projectLabel?.values.map((v) => (v.kind.case === "stringValue" ? v.kind.value : "")));
}

function Qr({ text }: { text: string }) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return <div class="qr" role="img" aria-label={`QR code for ${text}`} dangerouslySetInnerHTML={{ __html: qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }) }} />;
}

function entry(c: Cue): HistoryEntry {
  const ms = c.publishTime ? Number(c.publishTime.seconds) * 1000 + c.publishTime.nanos / 1e6 : 0;
  return { sequence: String(c.sequence), time: ms ? new Date(ms).toLocaleTimeString() : "", summary: summarizePayload(c.payload) };
}

function CuePanel({ project }: { project: string }) {
  const token = useToken();
  const [list, setList] = useState<CueList | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [live, setLive] = useState(false);
  const [message, setMessage] = useState("");
  useEffect(() => {
    setList(null);
    setHistory([]);
    trigger.getCueList({ projectUuid: project }).then((r) => setList(r.cueList ?? null), (e) => setMessage(errorText(e)));
    trigger.listCues({ projectUuid: project, limit: 50 }).then(
      (r) => setHistory((h) => mergeHistory(h, r.cues.map(entry))),
      (e) => setMessage(errorText(e)),
    );
    const abort = new AbortController();
    (async () => {
      try {
        for await (const frame of trigger.subscribe({ projectUuid: project, includeState: true }, { signal: abort.signal })) {
          setLive(true);
          const cue = frame.cue;
          if (cue && !frame.state) setHistory((h) => mergeHistory(h, [entry(cue)]));
        }
      } catch (e) {
        if (!abort.signal.aborted) setMessage("live cues stopped: " + errorText(e));
      } finally {
        setLive(false);
      }
    })();
    return () => abort.abort();
  }, [project]);
  const act = async (what: string, call: () => Promise<{ cueList?: CueList }>) => {
    try {
      const r = await call();
      setList(r.cueList ?? null);
      setMessage(`${what} ✓`);
    } catch (e) {
      setMessage(`${what}: ${errorText(e)}`);
    }
  };
  const current = list?.current;
  return (
    <div class="grid">
      <article>
        <header><strong>Cue list</strong> <span class="muted" data-testid="cue-position">{current === undefined ? "ready" : `current ${current} of ${list?.cues.length ?? 0}`}</span></header>
        <div class="row">
          <button class="go" disabled={!token || !list?.cues.length} onClick={() => act("GO", () => trigger.nextCue({ projectUuid: project }))} data-testid="go">GO</button>
          <button class="secondary" disabled={!token || current === undefined} onClick={() => act("Back", () => trigger.previousCue({ projectUuid: project }))}>Back</button>
        </div>
        {!token ? <p><small class="muted">Unlock writes with a token to fire cues.</small></p> : null}
        <ol class="cuelist" start={0} aria-label="Cues">
          {(list?.cues ?? []).map((c) => (
            <li aria-current={c.position === current ? "true" : undefined}>
              <button class="secondary outline" disabled={!token} aria-label={`Jump to cue ${c.position} ${c.label}`}
                onClick={() => act(`Jump to ${c.position}`, () => trigger.jumpToCue({ projectUuid: project, target: { case: "position", value: c.position } }))}>jump</button>
              {c.label}
            </li>
          ))}
        </ol>
        {list && !list.cues.length ? <p class="muted">This project has no cue list.</p> : null}
        <p aria-live="polite" data-testid="cue-message"><small>{message}</small></p>
      </article>
      <article>
        <header><strong>Cue history</strong> <span class="muted" data-testid="live-state">{live ? "● live" : "○ waiting for the first cue"}</span></header>
        <ol class="history" reversed aria-label="Cue history" data-testid="history">
          {history.slice().reverse().map((h) => (
            <li><small class="muted">#{h.sequence} {h.time}</small> {h.summary}</li>
          ))}
        </ol>
      </article>
    </div>
  );
}

function mergeHistory(old: HistoryEntry[], add: HistoryEntry[]): HistoryEntry[] {
  const seen = new Set(old.map((h) => h.sequence));
  const out = [...old, ...add.filter((h) => !seen.has(h.sequence))];
  out.sort((a, b) => Number(a.sequence) - Number(b.sequence));
  return out.slice(-200);
}

function Assets({ project, channel }: { project: string; channel: string }) {
  const token = useToken();
  const [files, setFiles] = useState<FileDefinition[] | null>(null);
  const [folder, setFolder] = useState("");
  const [message, setMessage] = useState("");
  const reload = () => trigger.getFileList({ projectUuid: project, channelUuid: channel }).then((r) => setFiles(r.files), (e) => setMessage(errorText(e)));
  useEffect(() => void reload(), [project, channel]);
  const url = (path: string) => `/opentheater/files/${encodeURIComponent(project)}/${encodeURIComponent(channel)}/${path.split("/").map(encodeURIComponent).join("/")}`;
  const upload = async (list: FileList | null, target?: string) => {
    for (const file of Array.from(list ?? [])) {
      const path = target ?? assetPath(folder, file.name);
      // uploads go over REST: gRPC-web cannot stream a request body from a browser
      const resp = await fetch(url(path), { method: "PUT", body: file, headers: authHeaders({ "content-type": file.type || "application/octet-stream" }) });
      const doc = await resp.json().catch(() => ({}));
      setMessage(resp.ok ? `${resp.status === 201 ? "uploaded" : "replaced"} ${path}` : `${path}: ${doc.error ?? resp.status}`);
    }
    await reload();
  };
  const remove = async (path: string) => {
    try {
      await trigger.deleteAsset({ projectUuid: project, channelUuid: channel, filepath: path });
      setMessage(`deleted ${path}`);
    } catch (e) {
      setMessage(errorText(e));
    }
    await reload();
  };
  return (
    <div>
      <table class="striped">
        <thead><tr><th>Asset</th><th>Size</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {(files ?? []).map((f) => (
            <tr>
              <td><a href={url(f.filepath)} target="_blank" rel="noreferrer">{f.filepath}</a></td>
              <td>{formatBytes(f.filesize)}</td>
              <td class="actions">
                <label role="button" class="secondary outline" aria-disabled={!token} style="padding:.1rem .5rem;font-size:.8rem">
                  Replace<input type="file" hidden disabled={!token} aria-label={`Replace ${f.filepath}`} onChange={(e) => upload((e.target as HTMLInputElement).files, f.filepath)} />
                </label>
                <button class="secondary" style="padding:.1rem .5rem;font-size:.8rem" disabled={!token} onClick={() => remove(f.filepath)} aria-label={`Delete ${f.filepath}`}>Delete</button>
              </td>
            </tr>
          ))}
          {files && !files.length ? <tr><td colSpan={3} class="muted">No assets yet.</td></tr> : null}
        </tbody>
      </table>
      <div class="row">
        <label>Folder<input value={folder} onInput={(e) => setFolder((e.target as HTMLInputElement).value)} placeholder="e.g. video" /></label>
        <label>Upload files<input type="file" multiple disabled={!token} data-testid={`upload-${channel}`} onChange={(e) => upload((e.target as HTMLInputElement).files)} /></label>
      </div>
      <p aria-live="polite"><small data-testid={`asset-message-${channel}`}>{message}</small></p>
    </div>
  );
}

function AudienceCount({ project }: { project: string }) {
  const [size, setSize] = useState<number | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      try {
        for await (const frame of trigger.watchAudience({ projectUuid: project }, { signal: abort.signal })) setSize(frame.connections);
      } catch (e) {
        if (!abort.signal.aborted) setError(errorText(e));
      }
    })();
    return () => abort.abort();
  }, [project]);
  if (error) return <small role="alert">audience count unavailable: {error}</small>;
  return (
    <strong aria-live="polite" data-testid="audience-count">
      {size === null ? "…" : `${size} ${size === 1 ? "phone" : "phones"} connected`}
    </strong>
  );
}

function ProjectView({ project }: { project: Project }) {
  const link = audienceUrl(location.origin, project.projectUuid);
  return (
    <>
      <hgroup>
        <h2 data-testid="project-title">{labelOf(project)}</h2>
        <p class="muted"><code>{project.projectUuid}</code></p>
      </hgroup>
      <CuePanel project={project.projectUuid} />
      <article>
        <header><strong>Audience</strong> · <AudienceCount project={project.projectUuid} /></header>
        <div class="row">
          <Qr text={link} />
          <p><a href={link} target="_blank" rel="noreferrer" data-testid="audience-link">{link}</a><br /><small class="muted">Phones in the house scan the code and follow the cues live.</small></p>
        </div>
      </article>
      <h3>Channels</h3>
      {project.channelList.map((c) => (
        <details open>
          <summary>{c.label || c.channelUuid} <small class="muted">{c.containerIds.join(", ")}</small></summary>
          {!filesHostedHere(c.provisioningUri, project.projectUuid, c.channelUuid) ? (
            <p class="muted">This channel's files are provisioned elsewhere: <a href={c.provisioningUri}>{c.provisioningUri}</a></p>
          ) : (
            <Assets project={project.projectUuid} channel={c.channelUuid} />
          )}
        </details>
      ))}
      {!project.channelList.length ? <p class="muted">No channels.</p> : null}
    </>
  );
}

export function Show({ route }: { route: Route }) {
  const selected = route.screen === "show" ? route.project : undefined;
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    trigger.getProjectList({}).then((r) => setProjects(r.projects), (e) => setError(errorText(e)));
  }, []);
  const project = projects?.find((p) => p.projectUuid === selected);
  return (
    <section>
      <h1>Show</h1>
      {error ? <p role="alert">{error}</p> : null}
      {projects === null && !error ? <p aria-busy="true">Loading projects…</p> : null}
      <nav aria-label="Projects">
        <ul>
          {(projects ?? []).map((p) => (
            <li><a href={routeHref({ screen: "show", project: p.projectUuid })} aria-current={p.projectUuid === selected ? "page" : undefined}>{labelOf(p)}</a></li>
          ))}
        </ul>
      </nav>
      {projects && !projects.length ? <p class="muted">No projects yet: create one with the management API (see API docs).</p> : null}
      {project ? <ProjectView project={project} /> : selected && projects ? <p role="alert">No project {selected}.</p> : null}
    </section>
  );
}
