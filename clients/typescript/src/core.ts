/**
 * The transport-neutral part of the Polyphony client: the four service clients on any Connect
 * transport (browser code passes e.g. a gRPC-web transport), plus the generated service descriptors
 * and message types.
 */
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { MediaService } from "./gen/polyphony/api/media/v1/media_pb.js";
import { FlowService } from "./gen/polyphony/api/flow/v1/flow_pb.js";
import { AnalysisService } from "./gen/polyphony/api/analysis/v1/analysis_pb.js";
import { TriggerService } from "./gen/polyphony/api/trigger/v1/trigger_pb.js";

export { MediaService, FlowService, AnalysisService, TriggerService };
export * as media from "./gen/polyphony/api/media/v1/media_pb.js";
export * as flow from "./gen/polyphony/api/flow/v1/flow_pb.js";
export * as analysis from "./gen/polyphony/api/analysis/v1/analysis_pb.js";
export * as trigger from "./gen/polyphony/api/trigger/v1/trigger_pb.js";

export interface PolyphonyClient {
  media: Client<typeof MediaService>;
  flow: Client<typeof FlowService>;
  analysis: Client<typeof AnalysisService>;
  trigger: Client<typeof TriggerService>;
}

/** An interceptor that sends `authorization: Bearer <token>` with every call (none without a token). */
export function bearerToken(token: string | undefined): Interceptor {
  return (next) => async (req) => {
    if (token) {
      req.header.set("authorization", `Bearer ${token}`);
    }
    return next(req);
  };
}

/** The four service clients on a transport the caller built (add `bearerToken(token)` to its interceptors). */
export function createPolyphonyClientFromTransport(transport: Transport): PolyphonyClient {
  return {
    media: createClient(MediaService, transport),
    flow: createClient(FlowService, transport),
    analysis: createClient(AnalysisService, transport),
    trigger: createClient(TriggerService, transport),
  };
}
