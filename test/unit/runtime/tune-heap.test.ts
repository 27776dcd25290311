import { describe, expect, it } from 'vitest';
import { heapGrowingFlag } from '../../../lib/tune-heap.js';

describe('heapGrowingFlag', () => {
  it('grows the heap by 1.5× unless FDI_HEAP_GROWING_PERCENT or the node command line says otherwise', () => {
    expect(heapGrowingFlag([], {})).toEqual({ flag: '--heap-growing-percent=50' });
    expect(heapGrowingFlag(['--enable-source-maps'], { NODE_OPTIONS: '--max-old-space-size=512' })).toEqual({
      flag: '--heap-growing-percent=50',
    });
    expect(heapGrowingFlag([], { FDI_HEAP_GROWING_PERCENT: '100' })).toEqual({ flag: '--heap-growing-percent=100' });
    expect(heapGrowingFlag([], { FDI_HEAP_GROWING_PERCENT: '0' })).toEqual({});
    expect(heapGrowingFlag(['--heap-growing-percent=200'], {})).toEqual({});
    expect(heapGrowingFlag(['--heap_growing_percent=10'], { FDI_HEAP_GROWING_PERCENT: '100' })).toEqual({});
  });
  it('says what is wrong with a setting that is not a whole number, and keeps the default', () => {
    expect(heapGrowingFlag([], { FDI_HEAP_GROWING_PERCENT: 'lots' })).toEqual({
      flag: '--heap-growing-percent=50',
      warning: 'FDI_HEAP_GROWING_PERCENT="lots" is not a whole number of percent (0–9999); using 50',
    });
  });
});
