/** The emulator command's flags for the simulated executions (docs/EMULATOR.md). */
import { describe, expect, it } from 'vitest';
import { type EmulatorFlags, optionsFromFlags } from '../../../cli/commands/emulator.js';
import { UserError } from '../../../lib/errors.js';

const DEFAULTS: EmulatorFlags = { host: '127.0.0.1', port: '8787', maxTasks: '1000', tokenTtlS: '86400' };

describe('emulator execution flags', () => {
  it('map to executionMs, executionFailShare, executionSeed and runOnStart', () => {
    const o = optionsFromFlags({
      ...DEFAULTS,
      executionMs: '2500',
      executionFailShare: '0.1',
      executionSeed: '7',
      runOnStart: true,
    });
    expect(o).toMatchObject({ executionMs: 2500, executionFailShare: 0.1, executionSeed: 7, runOnStart: true });
  });

  it('are left to the emulator’s defaults when not given', () => {
    const o = optionsFromFlags(DEFAULTS);
    expect(o.executionMs).toBeUndefined();
    expect(o.executionFailShare).toBeUndefined();
    expect(o.executionSeed).toBeUndefined();
    expect(o.runOnStart).toBeUndefined();
  });

  it('every bad value is named in one UserError', () => {
    let message = '';
    try {
      optionsFromFlags({ ...DEFAULTS, executionMs: '-5', executionFailShare: '1.5', executionSeed: '4294967296' });
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      message = (err as Error).message;
    }
    expect(message).toContain('--execution-ms must be a whole number from 0 up (got "-5")');
    expect(message).toContain('--execution-fail-share must be a number from 0 to 1 (got "1.5")');
    expect(message).toContain('--execution-seed must be a whole number from 0 to 4294967295 (got "4294967296")');
    for (const share of ['', 'x', '-0.1'])
      expect(() => optionsFromFlags({ ...DEFAULTS, executionFailShare: share }), share).toThrow(
        /--execution-fail-share must be a number from 0 to 1/,
      );
  });
});
