import { describe, expect, it } from 'vitest';
import { type EmulatorFlags, optionsFromFlags } from '../../../cli/commands/emulator.js';
import { UserError } from '../../../lib/errors.js';

const DEFAULTS: EmulatorFlags = { host: '127.0.0.1', port: '8787', maxTasks: '1000', tokenTtlS: '86400' };

function problems(flags: Partial<EmulatorFlags>): string {
  try {
    optionsFromFlags({ ...DEFAULTS, ...flags });
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('emulator flags', () => {
  it('maps every flag to an option', () => {
    const o = optionsFromFlags({
      ...DEFAULTS,
      port: '0',
      token: ['t1', 't2'],
      ak: 'AK',
      sk: 'SK',
      project: ['p'],
      instance: ['i1', 'i2'],
      maxTasks: '50',
      rateQuota: '2.5',
      rateQuotaPeriod: 'minute',
      rateQuotaModel: 'window',
      rateQuotaMessage: 'plain',
      retryAfter: '3',
      latencyMs: '10',
      jitterMs: '5',
      fault: ['500=0.1', 'reset=0.05', '500-after-commit=0.2'],
      seed: '42',
      state: '/tmp/state.json',
      tokenTtlS: '60',
      detailForm: 'request',
      noDispatch: 'no-id',
    });
    expect(o).toEqual({
      host: '127.0.0.1',
      port: 0,
      tokens: ['t1', 't2'],
      aksk: [{ ak: 'AK', sk: 'SK' }],
      projects: ['p'],
      instances: ['i1', 'i2'],
      maxTasks: 50,
      rateQuota: 2.5,
      rateQuotaPeriod: 'minute',
      rateQuotaModel: 'window',
      rateQuotaMessage: 'plain',
      retryAfterSeconds: 3,
      latencyMs: 10,
      jitterMs: 5,
      faults: { 500: 0.1, reset: 0.05, '500-after-commit': 0.2 },
      seed: 42,
      stateFile: '/tmp/state.json',
      tokenTtlSeconds: 60,
      datasources: undefined,
      detailForm: 'request',
      noDispatch: 'no-id',
    });
  });

  it.each([
    ['port', { port: '80a' }, /--port must be a whole number from 0 to 65535/],
    ['port range', { port: '65536' }, /--port/],
    ['max-tasks', { maxTasks: '-1' }, /--max-tasks/],
    ['rate-quota', { rateQuota: '0' }, /--rate-quota must be a number greater than 0/],
    ['rate-quota-period', { rateQuotaPeriod: 'hour' }, /--rate-quota-period must be one of second, minute/],
    ['rate-quota-model', { rateQuotaModel: 'leaky' }, /--rate-quota-model must be one of bucket, window/],
    ['rate-quota-message', { rateQuotaMessage: 'json' }, /--rate-quota-message must be one of limit, plain/],
    ['retry-after', { retryAfter: '1.5' }, /--retry-after/],
    ['latency-ms', { latencyMs: 'slow' }, /--latency-ms/],
    ['jitter-ms', { jitterMs: '-3' }, /--jitter-ms/],
    ['seed', { seed: 'abc' }, /--seed/],
    ['token-ttl-s', { tokenTtlS: '0' }, /--token-ttl-s/],
    ['fault kind', { fault: ['teapot=0.1'] }, /unknown kind "teapot"/],
    ['fault probability', { fault: ['500=1.5'] }, /probability must be a number from 0 to 1/],
    ['fault without =', { fault: ['500'] }, /KIND=PROBABILITY/],
    ['fault twice', { fault: ['500=0.1', '500=0.2'] }, /given twice/],
    ['fault sum', { fault: ['500=0.6', '502=0.6'] }, /add up to/],
    ['ak without sk', { ak: 'AK' }, /--ak and --sk go together/],
    ['detail-form', { detailForm: 'camel' }, /--detail-form must be one of response, request \(got "camel"\)/],
    ['no-dispatch', { noDispatch: '200' }, /--no-dispatch must be one of 404, empty, no-id \(got "200"\)/],
    ['empty token', { token: [''] }, /--token must not be empty/],
    [
      'missing datasources file',
      { datasources: '/nonexistent/ds.yaml' },
      /--datasources \/nonexistent\/ds.yaml: cannot read it \(ENOENT\)/,
    ],
  ])('refuses a bad %s with a clear message', (_what, flags, message) => {
    expect(problems(flags)).toMatch(message);
  });

  it('reports every bad flag at once', () => {
    const msg = problems({ port: 'x', seed: 'y', fault: ['nope=1'] });
    expect(msg.split('\n').filter((l) => l.startsWith('  --'))).toHaveLength(3);
  });
});
