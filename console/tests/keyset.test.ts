import { describe, expect, it } from "vitest";
import { KeysetPager, nextCursor } from "../src/lib/keyset";

function fakeListing(total: number, size: number) {
  const calls: (string | null)[] = [];
  const fetch = async (cursor: string | null) => {
    calls.push(cursor);
    const start = cursor ? Number(cursor) : 0;
    const rows = Array.from({ length: Math.min(size, total - start) }, (_, i) => start + i);
    const end = start + rows.length;
    return { rows, next: end < total ? String(end) : null };
  };
  return { calls, fetch };
}

describe("KeysetPager", () => {
  it("loads pages in order until the wanted row is there", async () => {
    const { calls, fetch } = fakeListing(1000, 100);
    const pager = new KeysetPager(fetch, 100);
    await pager.ensure(250);
    expect(calls).toEqual([null, "100", "200"]);
    expect(pager.rows.length).toBe(300);
    expect(pager.rows[250]).toBe(250);
    expect(pager.count()).toBe(400); // loaded + one placeholder page
  });

  it("stops at the end and counts exactly", async () => {
    const { fetch } = fakeListing(230, 100);
    const pager = new KeysetPager(fetch, 100);
    await pager.ensure(10_000);
    expect(pager.complete).toBe(true);
    expect(pager.count()).toBe(230);
  });

  it("shares one request between concurrent callers", async () => {
    const { calls, fetch } = fakeListing(1000, 100);
    const pager = new KeysetPager(fetch, 100);
    await Promise.all([pager.ensure(5), pager.ensure(50), pager.ensure(99)]);
    expect(calls).toEqual([null]);
  });

  it("loads nothing after close", async () => {
    const { calls, fetch } = fakeListing(1000, 100);
    const pager = new KeysetPager(fetch, 100);
    pager.close();
    await pager.ensure(500);
    expect(calls).toEqual([]);
  });
});

describe("nextCursor", () => {
  it("takes the bare token gRPC callers get", () => {
    expect(nextCursor("JZRjeB1WWkUQoYVvzUvj-nsicyI6")).toBe("JZRjeB1WWkUQoYVvzUvj-nsicyI6");
  });
  it("reads the page parameter of an AURA next link", () => {
    expect(nextCursor("/aura/tracks?limit=2&page=abc%3D%3D&sort=title")).toBe("abc==");
    expect(nextCursor(undefined)).toBeNull();
    expect(nextCursor("/aura/tracks")).toBeNull();
  });
});
