/**
 * A model of the product's rate adaptation under 429s that arrive at random (the emulator's `429` fault,
 * or a quota shared with other clients): the product's own pure `adaptRate` (lib/traffic/rate-adapt.ts),
 * fed one response per request at the current rate, each a 429 with probability p. No network, no
 * latency; a seeded PRNG. It shows the rate the limiter settles at, which bounds the throughput.
 */
import { adaptRate, defaultAdaptConfig, initialRateState, type RateState } from '../../lib/traffic/rate-adapt.js';
import { mulberry32 } from '../../emulator/index.js';

/** Mean rate (requests/s) over the last half of `seconds` of simulated time. */
export function settledRate(ceiling: number, p429: number, seconds = 300, seed = 7): number {
  const cfg = defaultAdaptConfig(ceiling);
  const random = mulberry32(seed);
  let state: RateState = initialRateState(ceiling);
  let t = 0;
  let sent = 0;
  const half = (seconds * 1000) / 2;
  while (t < seconds * 1000) {
    t += 1000 / state.rate;
    if (t >= half) sent += 1;
    state = adaptRate(state, random() < p429 ? 'throttled' : 'ok', t, cfg);
  }
  return sent / (seconds / 2);
}
