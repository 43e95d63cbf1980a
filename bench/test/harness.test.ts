// The statistic every ratio in the README's table comes from: rounds are interleaved, so a round's two sides ran at
// the same time and its ratio is free of the machine's drift; the figure is the median of those ratios.
import { describe, expect, it } from "vitest";
import { type Metric, meetsTarget, ratioOf, ratioOfMedians } from "../src/harness.ts";

const metric = (ours: number[], baseline: number[], extra: Partial<Metric> = {}): Metric => ({
  metric: "m",
  unit: "u",
  better: "higher",
  baselineName: "b",
  ours,
  baseline,
  ...extra,
});

describe("ratioOf", () => {
  it("takes the median of the rounds' ratios, so drift shared by both sides cancels", () => {
    // The machine slows down by half mid-run; ours is 3x the baseline in every round.
    const m = metric([300, 300, 150, 150, 150], [100, 100, 50, 50, 50]);
    expect(ratioOf(m)).toBe(3);
    // The medians come from different phases: 150 / 50 happens to be 3 here, but not below.
    const skewed = metric([300, 300, 300, 150, 150], [100, 100, 50, 50, 50]);
    expect(ratioOf(skewed)).toBe(3);
    expect(ratioOfMedians(skewed)).toBe(6);
  });

  it("pairs the sides by round, not by rank", () => {
    // The rounds' ratios are 2, 2 and 0.5 (median 2); sorted side by side (2/1, 3/3, 6/6) or as medians (3/3) it is 1.
    const m = metric([2, 6, 3], [1, 3, 6]);
    expect(ratioOf(m)).toBe(2);
    expect(ratioOfMedians(m)).toBe(1);
  });

  it("falls back to the ratio of the medians for unpaired figures and unequal counts", () => {
    expect(ratioOf(metric([300, 300, 300, 150, 150], [100, 100, 50, 50, 50], { paired: false }))).toBe(6);
    expect(ratioOf(metric([4, 6], [1, 2, 3]))).toBe(2.5);
  });

  it("decides met/missed on the same ratio", () => {
    const skewed = metric([300, 300, 300, 150, 150], [100, 100, 50, 50, 50]);
    expect(meetsTarget({ ...skewed, target: 3 })).toBe(true);
    expect(meetsTarget({ ...skewed, target: 3.01 })).toBe(false);
    expect(meetsTarget({ ...skewed, better: "lower", target: 3 })).toBe(true);
    expect(meetsTarget({ ...skewed, better: "lower", target: 2.99 })).toBe(false);
  });
});
