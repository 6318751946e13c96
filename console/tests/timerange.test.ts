import { describe, expect, it } from "vitest";
import { formatSeconds, formatTimerange, pan, parseTimerange, zoom } from "../src/lib/timerange";

describe("TAMS timeranges", () => {
  it("parses and formats", () => {
    expect(parseTimerange("[0:0_10:500000000)")).toEqual({ start: 0, end: 10.5 });
    expect(parseTimerange("[5:0_)")).toEqual({ start: 5, end: null });
    expect(parseTimerange("[3:0]")).toEqual({ start: 3, end: 3 });
    expect(parseTimerange("()")).toBeNull();
    expect(() => parseTimerange("[abc_1:0)")).toThrow();
    expect(formatTimerange(1.25, 2)).toBe("[1:250000000_2:0)");
  });
  it("zooms around a point and pans", () => {
    expect(zoom({ start: 0, end: 100 }, 0.5, 0.5)).toEqual({ start: 25, end: 75 });
    expect(zoom({ start: 0, end: 100 }, 2, 0)).toEqual({ start: 0, end: 200 });
    expect(pan({ start: 0, end: 10 }, -0.5)).toEqual({ start: -5, end: 5 });
  });
  it("labels seconds", () => {
    expect(formatSeconds(3723.5)).toBe("1:02:03.5");
    expect(formatSeconds(90000)).toBe("1 d 1:00:00");
  });
});
