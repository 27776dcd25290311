/**
 * Seeded, reproducible fault and latency decisions. Every API request draws exactly two numbers from
 * the PRNG, in arrival order: one for the jitter, one for the fault. So a fixed seed gives the same
 * outcomes for the same sequence of requests, whatever the probabilities or the latency settings.
 */
import { FAULT_KINDS, type FaultKind } from './options.js';

/** mulberry32: a small, fast 32-bit PRNG; returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What happens to one request. `fault` is undefined for a normal answer. */
export interface Decision {
  delayMs: number;
  fault?: FaultKind | undefined;
}

export interface FaultSettings {
  latencyMs: number;
  jitterMs: number;
  faults: Partial<Record<FaultKind, number>>;
}

/**
 * Lays the probabilities out as consecutive intervals of [0, 1) in the order of FAULT_KINDS and picks
 * the interval the draw falls in (none when it falls past the last one).
 */
export function pickFault(draw: number, faults: Partial<Record<FaultKind, number>>): FaultKind | undefined {
  let upper = 0;
  for (const kind of FAULT_KINDS) {
    upper += faults[kind] ?? 0;
    if (draw < upper) return kind;
  }
  return undefined;
}

/** The per-emulator fault source: a PRNG that can be re-seeded. */
export class FaultPlan {
  private random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  reseed(seed: number): void {
    this.random = mulberry32(seed);
  }

  /** Decides latency and fault of the next request (call once per request, at arrival). */
  next(settings: FaultSettings): Decision {
    const jitterDraw = this.random();
    const faultDraw = this.random();
    const delayMs = settings.latencyMs + Math.floor(jitterDraw * (settings.jitterMs + 1));
    return { delayMs, fault: pickFault(faultDraw, settings.faults) };
  }
}
