import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { ConfigError } from '../../../lib/errors.js';

describe('FDI_BURST and --burst', () => {
  it('is 0 unless set, a whole number of requests when set, the flag over the environment', () => {
    expect(loadConfig({}).burst).toBe(0);
    expect(loadConfig({ FDI_BURST: '' }).burst).toBe(0);
    expect(loadConfig({ FDI_BURST: '100' }).burst).toBe(100);
    expect(loadConfig({ FDI_BURST: '100' }, { burst: '7' }).burst).toBe(7);
  });

  it.each(['2.5', '-1', 'many', '1001'])('refuses %s, naming the variable and the range', (raw) => {
    expect(() => loadConfig({ FDI_BURST: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ FDI_BURST: raw })).toThrow(/FDI_BURST must be a whole number of requests from 0 to 1000/);
  });
});
