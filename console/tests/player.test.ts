import { describe, expect, it } from "vitest";
import { audioUrl, formatDuration, PlayQueue } from "../src/lib/player";

const t = (id: string) => ({ id, title: `T${id}`, artist: "A" });

describe("PlayQueue", () => {
  it("plays now after the current one and steps through", () => {
    const q = new PlayQueue();
    q.enqueue(t("1"));
    q.enqueue(t("2"));
    expect(q.current?.id).toBe("1");
    q.playNow(t("9"));
    expect(q.items.map((i) => i.id)).toEqual(["1", "9", "2"]);
    expect(q.current?.id).toBe("9");
    expect(q.next()?.id).toBe("2");
    expect(q.next()).toBeUndefined();
    expect(q.previous()?.id).toBe("9");
  });

  it("keeps the current item when an earlier one is removed", () => {
    const q = new PlayQueue();
    ["1", "2", "3"].forEach((id) => q.enqueue(t(id)));
    q.next();
    q.next();
    q.remove(0);
    expect(q.current?.id).toBe("3");
    q.remove(1);
    expect(q.current?.id).toBe("2");
  });
});

describe("audio", () => {
  it("asks for a format through the accept query field", () => {
    expect(audioUrl("7", "")).toBe("/aura/tracks/7/audio");
    expect(audioUrl("7", "audio/ogg;bitrate=128000")).toBe("/aura/tracks/7/audio?accept=audio%2Fogg%3Bbitrate%3D128000");
  });
  it("formats durations", () => {
    expect(formatDuration(65.4)).toBe("1:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(undefined)).toBe("–");
  });
});
