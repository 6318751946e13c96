/** The Library player's queue and the audio formats it can ask for (AURA on-the-fly transcoding). */
export interface QueueItem {
  id: string;
  title: string;
  artist: string;
}

export class PlayQueue {
  items: QueueItem[] = [];
  index = -1;

  get current(): QueueItem | undefined {
    return this.items[this.index];
  }

  /** Play `item` now: it goes right after the current one and becomes current. */
  playNow(item: QueueItem): void {
    this.items.splice(this.index + 1, 0, item);
    this.index += 1;
  }

  enqueue(item: QueueItem): void {
    this.items.push(item);
    if (this.index < 0) this.index = 0;
  }

  next(): QueueItem | undefined {
    if (this.index + 1 < this.items.length) this.index += 1;
    else return undefined;
    return this.current;
  }

  previous(): QueueItem | undefined {
    if (this.index > 0) this.index -= 1;
    else return undefined;
    return this.current;
  }

  remove(position: number): void {
    if (position < 0 || position >= this.items.length) return;
    this.items.splice(position, 1);
    if (position < this.index || (position === this.index && this.index >= this.items.length)) this.index -= 1;
  }
}

export interface AudioFormat {
  label: string;
  accept: string; // the Accept value; "" means the original file (seekable with Range)
}

export const FORMATS: AudioFormat[] = [
  { label: "Original (seekable)", accept: "" },
  { label: "Ogg Vorbis 128 kbit/s", accept: "audio/ogg;bitrate=128000" },
  { label: "Ogg Vorbis 64 kbit/s", accept: "audio/ogg;bitrate=64000" },
  { label: "MP3 192 kbit/s", accept: "audio/mpeg;bitrate=192000" },
  { label: "MP3 96 kbit/s", accept: "audio/mpeg;bitrate=96000" },
  { label: "FLAC (lossless)", accept: "audio/flac" },
];

/** The audio URL of a track in a format (the `accept` query field stands in for the Accept header). */
export function audioUrl(trackId: string, accept: string): string {
  const base = `/aura/tracks/${encodeURIComponent(trackId)}/audio`;
  return accept ? `${base}?accept=${encodeURIComponent(accept)}` : base;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}
