import { describe, expect, it } from 'vitest';
import { heapGrowingFlag } from '../../../lib/tune-heap.js';

describe('heapGrowingFlag', () => {
  it('grows the heap by 1.5× unless FDI_HEAP_GROWING_PERCENT or the node command line says otherwise', () => {
    expect(heapGrowingFlag([], {})).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag(['--enable-source-maps'], { NODE_OPTIONS: '--max-old-space-size=512' })).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag([], { FDI_HEAP_GROWING_PERCENT: '100' })).toBe('--heap-growing-percent=100');
    expect(heapGrowingFlag([], { FDI_HEAP_GROWING_PERCENT: '0' })).toBeUndefined();
    expect(heapGrowingFlag([], { FDI_HEAP_GROWING_PERCENT: 'lots' })).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag(['--heap-growing-percent=200'], {})).toBeUndefined();
    expect(heapGrowingFlag(['--heap_growing_percent=10'], { FDI_HEAP_GROWING_PERCENT: '100' })).toBeUndefined();
  });
});
