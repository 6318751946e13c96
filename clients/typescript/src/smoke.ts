/** Used by the test suite: prints the AURA server info and the first tracks as JSON lines. */
import { createPolyphonyClient } from "./index.js";

const baseUrl = process.argv[2] ?? "http://localhost:8080";
const client = createPolyphonyClient({ baseUrl });
const server = await client.media.getServer({});
console.log(JSON.stringify({ server: server.data?.attributes?.server, aura: server.data?.attributes?.auraVersion }));
const tracks = await client.media.listTracks({ limit: 3, sort: "title" });
console.log(JSON.stringify({ titles: tracks.data.map((t) => t.attributes?.title) }));
try {
  await client.media.getTrack({ id: "987654321" });
} catch (err) {
  console.log(JSON.stringify({ error: String((err as { code?: number }).code) }));
}
