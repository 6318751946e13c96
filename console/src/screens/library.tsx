/** Library (AURA): artists → albums → tracks with cover art, exact-match filters and sort, a
 *  virtualised keyset-paged track list, a player with a queue and a format choice, and rescan. */
import type { Virtualizer } from "@tanstack/virtual-core";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { AlbumResource, ArtistResource, TrackResource } from "@gen/polyphony/api/media/v1/media_pb.js";
import { errorText } from "../lib/client";
import { media } from "../lib/rpc/media";
import { KeysetPager, nextCursor } from "../lib/keyset";
import { audioUrl, formatDuration, FORMATS, PlayQueue, type QueueItem } from "../lib/player";
import { navigate, routeHref, type Route } from "../lib/router";
import { createVirtualizer } from "../lib/virtual";
import { getToken, onToken } from "../lib/token";

const ROW = 36;
// one page size for the whole listing (an AURA page token is bound to its query, limit included): a few
// screenfuls, small enough that the first page paints fast
const PAGE = 100;

/** Resolves when the first tracks page has arrived (or after a second): the artist and album panes
 *  ask the server only then, so the track list's first request does not queue behind theirs. */
let firstTracks: Promise<void> = Promise.resolve();
let tracksArrived: () => void = () => {};
function resetFirstTracks(): void {
  firstTracks = new Promise((resolve) => {
    tracksArrived = resolve;
    setTimeout(resolve, 1000);
  });
}
resetFirstTracks();
const SORTS: [string, string][] = [
  ["", "Library order"],
  ["artist,album,track", "Artist, album, track no."],
  ["title", "Title"],
  ["-year,album,track", "Newest first"],
  ["year,album,track", "Oldest first"],
  ["-duration", "Longest first"],
];
const FILTERS = ["title", "genre", "year", "composer", "albumartist"];

function cover(imageIds: string[] | undefined): string | undefined {
  return imageIds?.length ? `/aura/images/${encodeURIComponent(imageIds[0])}/file` : undefined;
}

function Artists({ selected }: { selected?: string }) {
  const [artists, setArtists] = useState<ArtistResource[]>([]);
  const [next, setNext] = useState<string | null>("");
  const [error, setError] = useState("");
  const more = () => {
    if (next === null) return;
    firstTracks.then(() => media.listArtists({ limit: 200, page: next, sort: "name" }).then((r) => {
      setArtists((a) => [...a, ...r.data]);
      setNext(nextCursor(r.links?.next));
    }, (e) => setError(errorText(e))));
  };
  useEffect(more, []);
  return (
    <section class="pane" aria-label="Artists">
      <ul>
        <li><button class="item" aria-pressed={!selected} onClick={() => navigate(routeHref({ screen: "library" }))}>All artists</button></li>
        {artists.map((a) => (
          <li>
            <button class="item" aria-pressed={selected === a.attributes?.name}
              onClick={() => navigate(routeHref({ screen: "library", artist: a.attributes?.name ?? "" }))}>
              {a.attributes?.name}
            </button>
          </li>
        ))}
      </ul>
      {next !== null ? <button class="secondary outline" onClick={more}>More artists</button> : null}
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}

function Albums({ artist, selected }: { artist?: string; selected?: string }) {
  const [albums, setAlbums] = useState<AlbumResource[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setAlbums(null);
    const filter: Record<string, string> = artist ? { artist } : {};
    firstTracks
      .then(() => media.listAlbums({ limit: 500, sort: "-year,title", filter }))
      .then((r) => setAlbums(r.data), (e) => setError(errorText(e)));
  }, [artist]);
  return (
    <section class="pane" aria-label="Albums" data-testid="albums">
      {albums === null && !error ? <p aria-busy="true">Loading albums…</p> : null}
      <ul>
        {(albums ?? []).map((al) => {
          const img = cover(al.relationships?.images?.data.map((d) => d.id));
          return (
            <li>
              <button class="item" aria-pressed={selected === al.attributes?.title}
                onClick={() => navigate(routeHref({ screen: "library", artist: artist ?? al.attributes?.artist, album: al.attributes?.title ?? "" }))}>
                {img ? <img src={img} alt="" loading="lazy" /> : <span class="muted" aria-hidden="true">♪</span>}
                <span>{al.attributes?.title}<br /><small class="muted">{al.attributes?.artist}{al.attributes?.year ? ` · ${al.attributes.year}` : ""}</small></span>
              </button>
            </li>
          );
        })}
      </ul>
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}

function TrackList(props: { filter: Record<string, string>; sort: string; onPlay: (t: QueueItem) => void; onQueue: (t: QueueItem) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, setTick] = useState(0);
  const rerender = () => setTick((n) => n + 1);
  const [error, setError] = useState("");
  const key = JSON.stringify([props.filter, props.sort]);
  const pager = useMemo(
    () =>
      new KeysetPager<TrackResource>(
        async (cursor, signal) => {
          const r = await media.listTracks({ limit: PAGE, page: cursor ?? "", sort: props.sort, filter: props.filter }, { signal });
          if (!cursor) tracksArrived();
          return { rows: r.data, next: nextCursor(r.links?.next) };
        },
        PAGE,
        rerender,
      ),
    [key],
  );
  const virt = useRef<Virtualizer<HTMLElement, Element> | null>(null);
  useEffect(() => {
    const el = scroller.current!;
    el.scrollTop = 0;
    const v = createVirtualizer(el, pager.count(), ROW, (instance) => {
      const items = instance.getVirtualItems();
      const last = items.length ? items[items.length - 1].index : 0;
      if (last >= pager.rows.length) pager.ensure(last).catch((e) => setError(errorText(e)));
      rerender();
    });
    virt.current = v;
    const cleanup = v._didMount();
    v._willUpdate();
    pager.ensure(0).catch((e) => setError(errorText(e)));
    return () => {
      cleanup();
      pager.close();
    };
  }, [pager]);
  const v = virt.current;
  if (v && v.options.count !== pager.count()) {
    v.setOptions({ ...v.options, count: pager.count() });
    v._willUpdate();
  }
  const items = v ? v.getVirtualItems() : [];
  const asItem = (t: TrackResource): QueueItem => ({ id: t.id, title: t.attributes?.title ?? "", artist: t.attributes?.artist ?? "" });
  return (
    <div>
      <p class="muted" aria-live="polite" data-testid="track-count">
        {pager.complete ? `${pager.rows.length.toLocaleString("en")} tracks` : `${pager.rows.length.toLocaleString("en")} tracks loaded, more while you scroll`}
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <div class="tracks" ref={scroller} role="list" aria-label="Tracks" tabIndex={0} data-testid="tracks">
        <div style={{ height: `${v ? v.getTotalSize() : 0}px`, position: "relative" }}>
          {items.map((it) => {
            const t = pager.rows[it.index];
            const style = { top: `${it.start}px`, height: `${ROW}px` };
            if (!t) return <div class="track placeholder" role="listitem" style={style} key={it.key}>loading…</div>;
            const a = t.attributes;
            return (
              <div class="track" role="listitem" style={style} key={t.id} data-track-id={t.id}>
                <span class="opt muted">{a?.disc ? `${a.disc}-` : ""}{a?.track ?? ""}</span>
                <span title={a?.title}>{a?.title}</span>
                <span class="opt" title={`${a?.artist} — ${a?.album ?? ""}`}>{a?.artist}<span class="muted"> · {a?.album}</span></span>
                <span class="opt muted">{formatDuration(a?.duration)}</span>
                <span>
                  <button aria-label={`Play ${a?.title}`} onClick={() => props.onPlay(asItem(t))}>▶</button>{" "}
                  <button class="secondary outline" aria-label={`Queue ${a?.title}`} onClick={() => props.onQueue(asItem(t))}>+</button>
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Player({ queue, version }: { queue: PlayQueue; version: number }) {
  const [format, setFormat] = useState(FORMATS[0].accept);
  const audio = useRef<HTMLAudioElement>(null);
  const [, setTick] = useState(0);
  const current = queue.current;
  useEffect(() => {
    if (current && audio.current) audio.current.play().catch(() => {});
  }, [current?.id, format, version]);
  const step = (fn: () => unknown) => () => (fn(), setTick((n) => n + 1));
  return (
    <section class="player" aria-label="Player">
      <div class="row">
        <strong data-testid="now-playing">{current ? `${current.title} — ${current.artist}` : "Nothing playing"}</strong>
        <button class="secondary outline" onClick={step(() => queue.previous())} aria-label="Previous track">‹ Prev</button>
        <button class="secondary outline" onClick={step(() => queue.next())} aria-label="Next track">Next ›</button>
        <label>
          <span class="visually-hidden">Format</span>
          <select aria-label="Format" value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value)}>
            {FORMATS.map((f) => <option value={f.accept}>{f.label}</option>)}
          </select>
        </label>
      </div>
      {current ? (
        <audio ref={audio} controls preload="metadata" src={audioUrl(current.id, format)} onEnded={step(() => queue.next())} data-testid="audio" />
      ) : null}
      {queue.items.length ? (
        <ol class="queue" aria-label="Queue">
          {queue.items.map((q, i) => (
            <li aria-current={i === queue.index ? "true" : undefined}>
              {q.title} <span class="muted">— {q.artist}</span>{" "}
              <a href="#" role="button" class="secondary outline" style="padding:0 .3rem;font-size:.75rem" aria-label={`Remove ${q.title} from queue`}
                onClick={(e) => (e.preventDefault(), queue.remove(i), setTick((n) => n + 1))}>×</a>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

function Rescan() {
  const [token, setTok] = useState(getToken());
  useEffect(() => onToken(setTok), []);
  const [progress, setProgress] = useState<{ done: number; total: number; current: string } | null>(null);
  const [summary, setSummary] = useState("");
  const [error, setError] = useState("");
  const run = async () => {
    setError("");
    setSummary("");
    try {
      for await (const frame of media.scanLibrary({})) {
        setProgress({ done: frame.done, total: frame.total, current: frame.current });
        if (frame.summary) {
          const s = frame.summary;
          setSummary(`added ${s.added}, updated ${s.updated}, moved ${s.moved}, unchanged ${s.unchanged}, removed ${s.removed}, failed ${s.failed.length}`);
        }
      }
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <details>
      <summary>Rescan the library</summary>
      <button onClick={run} disabled={!token} data-testid="rescan">Rescan</button>
      {!token ? <small class="muted"> Unlock writes with a token to rescan.</small> : null}
      {progress ? (
        <p>
          <progress value={progress.done} max={progress.total || 1} aria-label="Scan progress" />
          <small>{progress.done}/{progress.total} {progress.current}</small>
        </p>
      ) : null}
      {summary ? <p data-testid="scan-summary">{summary}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
    </details>
  );
}

export function Library({ route }: { route: Route }) {
  const artist = route.screen === "library" ? route.artist : undefined;
  const album = route.screen === "library" ? route.album : undefined;
  const [sort, setSort] = useState(SORTS[0][0]);
  const [field, setField] = useState(FILTERS[0]);
  const [value, setValue] = useState("");
  const [applied, setApplied] = useState<[string, string] | null>(null);
  const queue = useMemo(() => new PlayQueue(), []);
  const [version, setVersion] = useState(0);
  const filter: Record<string, string> = {};
  if (artist) filter.artist = artist;
  if (album) filter.album = album;
  if (applied) filter[applied[0]] = applied[1];
  return (
    <section>
      <h1>Library</h1>
      <form class="row" role="search" onSubmit={(e) => (e.preventDefault(), setApplied(value.trim() ? [field, value.trim()] : null))}>
        <label>Filter by
          <select value={field} onChange={(e) => setField((e.target as HTMLSelectElement).value)}>
            {FILTERS.map((f) => <option value={f}>{f}</option>)}
          </select>
        </label>
        <label>Exact value
          <input type="search" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} placeholder="e.g. Jazz" data-testid="filter-value" />
        </label>
        <label>Sort
          <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value)} data-testid="sort">
            {SORTS.map(([k, label]) => <option value={k}>{label}</option>)}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      <p class="muted">
        {artist ? <>Artist <strong>{artist}</strong></> : "All artists"}
        {album ? <> · album <strong>{album}</strong></> : null}
        {applied ? <> · {applied[0]} = <strong>{applied[1]}</strong></> : null}
      </p>
      <Player queue={queue} version={version} />
      <div class="library">
        <Artists selected={artist} />
        <Albums artist={artist} selected={album} />
        <TrackList filter={filter} sort={sort}
          onPlay={(t) => (queue.playNow(t), setVersion((n) => n + 1))}
          onQueue={(t) => (queue.enqueue(t), setVersion((n) => n + 1))} />
      </div>
      <Rescan />
    </section>
  );
}
