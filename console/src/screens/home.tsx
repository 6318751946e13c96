/** Home: the four services, their versions and counts, the storage in use, links onwards. */
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../lib/client";
import { analysis } from "../lib/rpc/analysis";
import { flow } from "../lib/rpc/flow";
import { media } from "../lib/rpc/media";
import { trigger } from "../lib/rpc/trigger";
import { countPages, countStream, showCount, type Counted } from "../lib/count";
import { nextCursor } from "../lib/keyset";

const CAP = 10_000;

interface Card {
  name: string;
  api: string;
  screen?: string;
  docs: string;
  version?: string;
  facts: [string, string][];
  error?: string;
}

function useAsync<T>(run: () => Promise<T>): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    run().then((value) => setState({ value }), (e) => setState({ error: errorText(e) }));
  }, []);
  return state;
}

function count(run: () => Promise<Counted>) {
  return useAsync(run);
}

export function Home() {
  const server = useAsync(() => media.getServer({}));
  const tracks = count(() =>
    countPages(async (page) => {
      const r = await media.listTracks({ limit: 500, page: page ?? "" });
      return { rows: r.data.length, next: nextCursor(r.links?.next) };
    }, CAP),
  );
  const albums = count(() =>
    countPages(async (page) => {
      const r = await media.listAlbums({ limit: 500, page: page ?? "" });
      return { rows: r.data.length, next: nextCursor(r.links?.next) };
    }, CAP),
  );
  const service = useAsync(() => flow.getService({}));
  const backends = useAsync(() => flow.listStorageBackends({}));
  const flows = count(() =>
    countPages(async (page) => {
      const r = await flow.listFlows({ limit: 500, page: page ?? "" });
      return { rows: r.flows.length, next: r.nextPage || null };
    }, CAP),
  );
  const sources = count(() =>
    countPages(async (page) => {
      const r = await flow.listSources({ limit: 500, page: page ?? "" });
      return { rows: r.sources.length, next: r.nextPage || null };
    }, CAP),
  );
  const items = count(() => countStream(analysis.listItems({}), CAP));
  const processors = count(() => countStream(analysis.listProcessors({}), CAP));
  const projects = useAsync(() => trigger.getProjectList({}));

  const stores = backends.value?.storageBackends ?? [];
  const cards: Card[] = [
    {
      name: "Media library",
      api: "AURA " + (server.value?.data?.attributes?.auraVersion ?? ""),
      screen: "/library",
      docs: "/docs/aura",
      version: server.value?.data?.attributes?.serverVersion,
      facts: [
        ["tracks", showCount(tracks.value)],
        ["albums", showCount(albums.value)],
        ["features", server.value?.data?.attributes?.features.join(", ") || "–"],
      ],
      error: server.error ?? tracks.error,
    },
    {
      name: "Media store",
      api: "BBC TAMS " + (service.value?.apiVersion ?? ""),
      screen: "/media",
      docs: "/docs/tams",
      version: service.value?.serviceVersion,
      facts: [
        ["sources", showCount(sources.value)],
        ["flows", showCount(flows.value)],
        ["object store", stores.map((s) => `${s.storeProduct || s.storeType} (${s.provider})`).join(", ") || "…"],
      ],
      error: service.error ?? flows.error,
    },
    {
      name: "Analysis",
      api: "TimeSide",
      screen: "/analysis",
      docs: "/docs/timeside",
      facts: [
        ["items", showCount(items.value)],
        ["processors", showCount(processors.value)],
      ],
      error: items.error,
    },
    {
      name: "Show control",
      api: "Open Theater",
      screen: "/show",
      docs: "/docs/opentheater",
      facts: [
        ["projects", projects.value ? String(projects.value.projects.length) : "…"],
        ["channels", projects.value ? String(projects.value.projects.reduce((n, p) => n + p.channelList.length, 0)) : "…"],
      ],
      error: projects.error,
    },
  ];
  return (
    <section>
      <hgroup>
        <h1>Polyphony</h1>
        <p>One media server, four public APIs, one port. {server.value?.data?.attributes?.server} {server.value?.data?.attributes?.serverVersion}</p>
      </hgroup>
      <div class="cards" data-testid="services">
        {cards.map((c) => (
          <article data-testid={`service-${c.docs.split("/").pop()}`}>
            <header>
              <strong>{c.name}</strong> <span class="muted">{c.api}</span>
              {c.version ? <small class="muted"> · v{c.version}</small> : null}
            </header>
            <dl>
              {c.facts.map(([k, v]) => (
                <>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </>
              ))}
            </dl>
            {c.error ? <p role="alert"><small>{c.error}</small></p> : null}
            <footer>
              {c.screen ? <a href={c.screen} role="button" class="outline">Open</a> : <span class="muted">screen to come</span>}{" "}
              <a href={c.docs}>API docs</a>
            </footer>
          </article>
        ))}
      </div>
    </section>
  );
}
