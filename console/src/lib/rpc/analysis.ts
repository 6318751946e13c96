import { AnalysisService } from "@gen/polyphony/api/analysis/v1/analysis_pb.js";
import { serviceClient } from "../client";

export const analysis = serviceClient(AnalysisService);
