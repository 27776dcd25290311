import { describe, expect, it } from 'vitest';
import { MAX_POINTS, TimelineRecorder } from '../../../lib/report/timeline.js';

const START = new Date('2026-11-29T00:00:00.000Z');

function recorder(earlier?: ConstructorParameters<typeof TimelineRecorder>[2]) {
  let now = START.getTime();
  const rec = new TimelineRecorder(START, () => now, earlier);
  return { rec, at: (s: number) => (now = START.getTime() + s * 1000) };
}

describe('TimelineRecorder', () => {
  it('is absent until something happens', () => {
    expect(recorder().rec.snapshot()).toBeUndefined();
  });

  it('counts each series per second from the start, all series of one length', () => {
    const { rec, at } = recorder();
    at(0.2);
    rec.add('accepted');
    rec.add('accepted');
    at(2.5);
    rec.add('throttled');
    rec.add('retried');
    rec.add('done');
    expect(rec.snapshot()).toEqual({
      start: START.toISOString(),
      step_s: 1,
      accepted: [2, 0, 0],
      throttled: [0, 0, 1],
      failed: [0, 0, 0],
      retried: [0, 0, 1],
      done: [0, 0, 1],
    });
  });

  it('a clock behind the start counts in the first point', () => {
    const { rec, at } = recorder();
    at(-5);
    rec.add('failed');
    expect(rec.snapshot()?.failed).toEqual([1]);
  });

  it('doubles its step rather than grow past MAX_POINTS, keeping every count', () => {
    const { rec, at } = recorder();
    const seconds = MAX_POINTS * 3 + 7;
    for (let s = 0; s < seconds; s += 1) {
      at(s);
      rec.add('accepted');
    }
    const t = rec.snapshot()!;
    expect(t.step_s).toBe(4);
    expect(t.accepted.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(t.accepted.reduce((a, b) => a + b, 0)).toBe(seconds);
    expect(t.accepted[0]).toBe(4);
  });

  it("continues an earlier invocation's timeline, with zeros for the gap", () => {
    const first = recorder();
    first.at(0);
    first.rec.add('accepted');
    const saved = first.rec.snapshot();
    const second = recorder(saved);
    second.at(3);
    second.rec.add('done');
    expect(second.rec.snapshot()).toMatchObject({ accepted: [1, 0, 0, 0], done: [0, 0, 0, 1] });
  });

  it('starts afresh from a damaged saved timeline', () => {
    const { rec, at } = recorder({
      start: START.toISOString(),
      step_s: 1,
      accepted: [1, 2],
      throttled: [1],
      failed: [],
      retried: [],
      done: [],
    });
    at(0);
    rec.add('done');
    expect(rec.snapshot()).toMatchObject({ accepted: [0], done: [1] });
  });
});
