/**
 * The gRPC-web transport (Envoy's grpc_web filter) on the page's own origin, used by the per-service
 * clients in ./rpc/*.ts (one module per service, so a screen loads only the generated code it uses).
 * The token (if any) rides along as metadata.
 */
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import { getToken } from "./token";

const auth: Interceptor = (next) => async (req) => {
  const token = getToken();
  if (token) req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};

const transport = createGrpcWebTransport({
  baseUrl: typeof location === "undefined" ? "http://localhost" : location.origin,
  interceptors: [auth],
});

export function serviceClient<T extends DescService>(service: T): Client<T> {
  return createClient(service, transport);
}

/** A readable one-line message for a failed call (ConnectError or anything else). */
export function errorText(err: unknown): string {
  if (err && typeof err === "object" && "rawMessage" in err && "code" in err) {
    const e = err as { rawMessage: string; code: number };
    const names: Record<number, string> = {
      3: "invalid argument", 5: "not found", 6: "already exists", 7: "permission denied", 9: "failed precondition",
      14: "unavailable", 16: "unauthenticated",
    };
    return `${names[e.code] ?? `error ${e.code}`}: ${e.rawMessage}`;
  }
  return err instanceof Error ? err.message : String(err);
}
