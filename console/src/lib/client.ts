/**
 * The four services over gRPC-web (Envoy's grpc_web filter) on the page's own origin, through the
 * client types generated from proto/ by protoc-gen-es. The token (if any) rides along as metadata.
 */
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { MediaService } from "@gen/polyphony/api/media/v1/media_pb.js";
import { FlowService } from "@gen/polyphony/api/flow/v1/flow_pb.js";
import { AnalysisService } from "@gen/polyphony/api/analysis/v1/analysis_pb.js";
import { TriggerService } from "@gen/polyphony/api/trigger/v1/trigger_pb.js";
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

export const media: Client<typeof MediaService> = createClient(MediaService, transport);
export const flow: Client<typeof FlowService> = createClient(FlowService, transport);
export const analysis: Client<typeof AnalysisService> = createClient(AnalysisService, transport);
export const trigger: Client<typeof TriggerService> = createClient(TriggerService, transport);

/** A readable one-line message for a failed call (ConnectError or anything else). */
export function errorText(err: unknown): string {
  if (err && typeof err === "object" && "rawMessage" in err && "code" in err) {
    const e = err as { rawMessage: string; code: number };
    const names: Record<number, string> = { 3: "invalid argument", 5: "not found", 7: "permission denied", 16: "unauthenticated" };
    return `${names[e.code] ?? `error ${e.code}`}: ${e.rawMessage}`;
  }
  return err instanceof Error ? err.message : String(err);
}
