/**
 * Typed Polyphony client for Node: the four services over native gRPC (HTTP/2) through Polyphony's
 * one port, with the message types generated from proto/ by protoc-gen-es.
 *
 *   const polyphony = createPolyphonyClient({ baseUrl: "http://localhost:8080", token });
 *   const tracks = await polyphony.media.listTracks({ limit: 10, sort: "-year" });
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import { bearerToken, createPolyphonyClientFromTransport, type PolyphonyClient } from "./core.js";

export * from "./core.js";

export interface PolyphonyOptions {
  /** Polyphony's address (REST and gRPC share it); default `$POLYPHONY_URL`, else http://localhost:8080. */
  baseUrl?: string;
  /** Bearer token for writes (and reads when the server requires it); default `$POLYPHONY_TOKEN`. */
  token?: string;
}

export function createPolyphonyClient(options: PolyphonyOptions = {}): PolyphonyClient {
  const baseUrl = options.baseUrl ?? process.env.POLYPHONY_URL ?? "http://localhost:8080";
  const token = options.token ?? process.env.POLYPHONY_TOKEN;
  const transport = createGrpcTransport({ baseUrl, interceptors: [bearerToken(token)] });
  return createPolyphonyClientFromTransport(transport);
}
