/**
 * Used by the test suite: prints the AURA server info and the first tracks as JSON lines; given a
 * write token and a project UUID, also publishes a cue and prints the JavaScript types of its reply.
 */
import { createPolyphonyClient } from "./index.js";

const baseUrl = process.argv[2] ?? "http://localhost:8080";
const [token, project] = [process.argv[3], process.argv[4]];
const client = createPolyphonyClient({ baseUrl, token });
const server = await client.media.getServer({});
console.log(JSON.stringify({ server: server.data?.attributes?.server, aura: server.data?.attributes?.auraVersion }));
const tracks = await client.media.listTracks({ limit: 3, sort: "title" });
console.log(JSON.stringify({ titles: tracks.data.map((t) => t.attributes?.title) }));
try {
  await client.media.getTrack({ id: "987654321" });
} catch (err) {
  console.log(JSON.stringify({ error: String((err as { code?: number }).code) }));
}
if (token && project) {
  const payload = JSON.stringify({ content: { text_de: "aus TypeScript" }, timestamp: 1733400000000 });
  const { cue } = await client.trigger.publish({ projectUuid: project, payload });
  console.log(
    JSON.stringify({
      sequence: typeof cue?.sequence,
      payload: typeof cue?.payload,
      content: cue?.payload?.content,
      timestamp: cue?.payload?.timestamp,
    }),
  );
}
