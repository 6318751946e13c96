import { FlowService } from "@gen/polyphony/api/flow/v1/flow_pb.js";
import { serviceClient } from "../client";

export const flow = serviceClient(FlowService);
