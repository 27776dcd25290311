import { describe, expect, it } from 'vitest';
import { heapGrowingFlag } from '../../../lib/tune-heap.js';

describe('heapGrowingFlag', () => {
  it('grows the heap by 1.5× unless the user chose a growth on the node command line or in NODE_OPTIONS', () => {
    expect(heapGrowingFlag([], undefined)).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag(['--heap-growing-percent=200'], undefined)).toBeUndefined();
    expect(heapGrowingFlag([], '--max-old-space-size=512 --heap_growing_percent=10')).toBeUndefined();
  });
});
