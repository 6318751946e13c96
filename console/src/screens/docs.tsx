/** API docs: each API's OpenAPI reference rendered offline by the vendored RapiDoc, and the gRPC
 *  services (the same descriptors the server's reflection serves) with their RPCs. */
import { useEffect, useRef, useState } from "preact/hooks";
import { MediaService } from "@gen/polyphony/api/media/v1/media_pb.js";
import { FlowService } from "@gen/polyphony/api/flow/v1/flow_pb.js";
import { AnalysisService } from "@gen/polyphony/api/analysis/v1/analysis_pb.js";
import { TriggerService } from "@gen/polyphony/api/trigger/v1/trigger_pb.js";
import { API_DOCS, rpcRows } from "../lib/apis";
import { routeHref, type Route } from "../lib/router";

const RENDERER = "/console/vendor/rapidoc-min.js";
let loading: Promise<void> | null = null;

function loadRenderer(): Promise<void> {
  if (customElements.get("rapi-doc")) return Promise.resolve();
  loading ??= new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = RENDERER;
    s.onload = () => customElements.whenDefined("rapi-doc").then(() => resolve());
    s.onerror = () => reject(new Error("could not load the API docs renderer"));
    document.head.append(s);
  });
  return loading;
}

function Reference({ spec, mount = "" }: { spec: string; mount?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState("");
  const [available, setAvailable] = useState<boolean | null>(null);
  useEffect(() => {
    setAvailable(null);
    fetch(spec, { method: "HEAD" }).then((r) => setAvailable(r.ok), () => setAvailable(false));
  }, [spec]);
  useEffect(() => {
    if (!available) return;
    loadRenderer().then(() => {
      const el = document.createElement("rapi-doc");
      const dark = matchMedia("(prefers-color-scheme: dark)").matches && document.documentElement.dataset.theme !== "light";
      for (const [k, v] of Object.entries({
        "spec-url": spec, "render-style": "focused", "show-header": "false", "allow-try": "true",
        "allow-server-selection": "false", "allow-authentication": "true", theme: dark || document.documentElement.dataset.theme === "dark" ? "dark" : "light",
        "schema-description-expanded": "true", "primary-color": "#0172ad", "load-fonts": "false", "regular-font": "system-ui, sans-serif", "mono-font": "ui-monospace, monospace", "server-url": location.origin + mount, "default-api-server": location.origin + mount,
      })) el.setAttribute(k, v);
      host.current?.replaceChildren(el);
    }, (e) => setError(String(e)));
  }, [spec, available]);
  if (available === false) return <p role="alert">This API's OpenAPI document is not served by this server (yet): <code>{spec}</code></p>;
  return (
    <>
      {error ? <p role="alert">{error}</p> : null}
      <div ref={host} data-testid="reference" aria-busy={available === null ? "true" : undefined} />
    </>
  );
}

function Grpc() {
  const rows = rpcRows([MediaService, FlowService, AnalysisService, TriggerService]);
  const services = [...new Set(rows.map((r) => r.service))];
  return (
    <>
      <p>
        Native gRPC (and gRPC-web, which this console uses) on the same port; reflection is on, so
        <code> grpcurl -plaintext {location.host} list</code> shows the same services without proto files.
      </p>
      {services.map((s) => (
        <details>
          <summary><code>{s}</code> <small class="muted">{rows.filter((r) => r.service === s).length} RPCs</small></summary>
          <table class="striped">
            <thead><tr><th>RPC</th><th>kind</th></tr></thead>
            <tbody>{rows.filter((r) => r.service === s).map((r) => <tr><td><code>{r.method}</code></td><td>{r.kind}</td></tr>)}</tbody>
          </table>
        </details>
      ))}
    </>
  );
}

export function Docs({ route }: { route: Route }) {
  const api = route.screen === "docs" ? route.api ?? "tams" : "tams";
  const doc = API_DOCS.find((d) => d.id === api);
  return (
    <section class="docs">
      <h1>API docs</h1>
      <nav aria-label="APIs">
        <ul>
          {API_DOCS.map((d) => <li><a href={routeHref({ screen: "docs", api: d.id })} aria-current={d.id === api ? "page" : undefined}>{d.title}</a></li>)}
          <li><a href={routeHref({ screen: "docs", api: "grpc" })} aria-current={api === "grpc" ? "page" : undefined}>gRPC</a></li>
        </ul>
      </nav>
      {doc ? (
        <>
          <p class="muted">{doc.title}: {doc.note} · <a href={doc.spec}>OpenAPI document</a></p>
          <Reference spec={doc.spec} mount={doc.mount} />
        </>
      ) : api === "grpc" ? <Grpc /> : <p role="alert">Unknown API {api}.</p>}
    </section>
  );
}
