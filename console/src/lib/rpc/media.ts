import { MediaService } from "@gen/polyphony/api/media/v1/media_pb.js";
import { serviceClient } from "../client";

export const media = serviceClient(MediaService);
