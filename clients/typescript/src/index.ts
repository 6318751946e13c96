/**
 * Typed Polyphony client for Node: the four services over native gRPC (HTTP/2) through the Envoy
 * port, with the message types generated from proto/ by protoc-gen-es.
 *
 *   const polyphony = createPolyphonyClient({ baseUrl: "http://localhost:8080", token });
 *   const tracks = await polyphony.media.listTracks({ limit: 10, sort: "-year" });
 */
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MediaService } from "../../../generated/typescript/polyphony/api/media/v1/media_pb.js";
import { FlowService } from "../../../generated/typescript/polyphony/api/flow/v1/flow_pb.js";
import { AnalysisService } from "../../../generated/typescript/polyphony/api/analysis/v1/analysis_pb.js";
import { TriggerService } from "../../../generated/typescript/polyphony/api/trigger/v1/trigger_pb.js";

export interface PolyphonyOptions {
  /** Envoy's address, e.g. http://localhost:8080 (REST and gRPC share it). */
  baseUrl: string;
  /** Bearer token for writes (and reads when the server requires it). */
  token?: string;
}

export interface PolyphonyClient {
  media: Client<typeof MediaService>;
  flow: Client<typeof FlowService>;
  analysis: Client<typeof AnalysisService>;
  trigger: Client<typeof TriggerService>;
}

export function createPolyphonyClient(options: PolyphonyOptions): PolyphonyClient {
  const auth: Interceptor = (next) => async (req) => {
    if (options.token) {
      req.header.set("authorization", `Bearer ${options.token}`);
    }
    return next(req);
  };
  const transport = createGrpcTransport({ baseUrl: options.baseUrl, interceptors: [auth] });
  return {
    media: createClient(MediaService, transport),
    flow: createClient(FlowService, transport),
    analysis: createClient(AnalysisService, transport),
    trigger: createClient(TriggerService, transport),
  };
}
