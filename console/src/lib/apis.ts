/** The API references the console shows, and the gRPC services read from the generated descriptors. */
import type { DescService } from "@bufbuild/protobuf";

export interface ApiDoc {
  id: string;
  title: string;
  spec: string; // URL of the OpenAPI document
  note: string;
  mount?: string; // where the document's paths live on this server (TAMS' paths are under /tams)
}

export const API_DOCS: ApiDoc[] = [
  { id: "tams", title: "BBC TAMS", spec: "/console/specs/tams/api/TimeAddressableMediaStore.yaml", note: "the official OpenAPI document (BBC, Apache-2.0), as vendored in this repository", mount: "/tams" },
  { id: "timeside", title: "TimeSide", spec: "/timeside/api/schema/", note: "the server's generated schema" },
  { id: "aura", title: "AURA", spec: "/console/openapi/aura.json", note: "generated from the protos' HTTP annotations" },
  { id: "opentheater", title: "Open Theater", spec: "/console/openapi/opentheater.json", note: "generated from the protos' HTTP annotations" },
];

export interface RpcRow {
  service: string;
  method: string;
  kind: string;
  http: string;
}

const KINDS: Record<string, string> = {
  unary: "unary",
  server_streaming: "server stream",
  client_streaming: "client stream",
  bidi_streaming: "bidi stream",
};

/** One row per RPC of the services, with its kind. */
export function rpcRows(services: DescService[]): RpcRow[] {
  return services.flatMap((s) =>
    s.methods.map((m) => ({ service: s.typeName, method: m.name, kind: KINDS[m.methodKind] ?? m.methodKind, http: "" })),
  );
}
