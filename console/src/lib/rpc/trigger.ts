import { TriggerService } from "@gen/polyphony/api/trigger/v1/trigger_pb.js";
import { serviceClient } from "../client";

export const trigger = serviceClient(TriggerService);
