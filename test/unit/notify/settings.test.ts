/**
 * The run-end notice's settings as the configuration reads them (lib/notify/settings.ts through
 * loadConfig): the URL's scheme and host, the headers' form, the bounds, and that no problem ever
 * quotes the URL's path or a header value.
 */
import { describe, expect, it } from 'vitest';
import { configSecrets, loadConfig } from '../../../lib/config.js';
import { ConfigError } from '../../../lib/errors.js';
import { NOTIFY_BOUNDS } from '../../../lib/notify/index.js';

const SECRET = 'sek-9d1f3a77';

/** The problem loadConfig reports for an environment, or undefined when it loads. */
function problem(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
}

describe('FDI_NOTIFY_URL', () => {
  it.each([
    [`https://hooks.example.com/services/${SECRET}`, 'https://hooks.example.com'],
    [`https://hooks.example.com:8443/x?key=${SECRET}`, 'https://hooks.example.com:8443'],
    [`http://127.0.0.1:9000/hook/${SECRET}`, 'http://127.0.0.1:9000'],
    ['http://127.5.6.7/hook', 'http://127.5.6.7'],
    ['http://localhost:8080/hook', 'http://localhost:8080'],
    ['http://[::1]:8080/hook', 'http://[::1]:8080'],
  ])('%s is called, logged as %s', (url, origin) => {
    const notify = loadConfig({ FDI_NOTIFY_URL: url }).notify;
    expect(notify?.origin).toBe(origin);
    expect(notify?.url.reveal()).toBe(url);
    expect(JSON.stringify(notify)).not.toContain(SECRET);
  });

  it.each([
    [`http://hooks.example.com/${SECRET}`, 'FDI_NOTIFY_URL must use https (http only to a loopback address'],
    [`http://10.0.0.8/${SECRET}`, 'got http to 10.0.0.8'],
    // A name under .localhost is resolved through DNS, which may answer any address.
    [`http://hooks.localhost/${SECRET}`, 'got http to hooks.localhost'],
    [`ftp://hooks.example.com/${SECRET}`, 'FDI_NOTIFY_URL must be an https:// URL (got the scheme "ftp:")'],
    [`hooks.example.com/${SECRET}`, 'FDI_NOTIFY_URL is not a URL'],
  ])('%s is refused: %s', (url, message) => {
    const p = problem({ FDI_NOTIFY_URL: url });
    expect(p).toContain(message);
    expect(p).not.toContain(SECRET);
  });

  it('unset (or blank): no notice, with the defaults of nothing', () => {
    expect(loadConfig({}).notify).toBeUndefined();
    expect(loadConfig({ FDI_NOTIFY_URL: '  ' }).notify).toBeUndefined();
  });
});

describe('FDI_NOTIFY_HEADERS', () => {
  const url = 'https://hooks.example.com/h';

  it('a JSON object of strings: every value a secret the configuration scrubs', () => {
    const config = loadConfig({
      FDI_NOTIFY_URL: url,
      FDI_NOTIFY_HEADERS: JSON.stringify({ Authorization: `Bearer ${SECRET}`, 'X-Api-Key': 'k-123456' }),
    });
    expect(config.notify?.headers.map(([n, v]) => [n, v.reveal()])).toEqual([
      ['Authorization', `Bearer ${SECRET}`],
      ['X-Api-Key', 'k-123456'],
    ]);
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(configSecrets(config).map((s) => s.reveal())).toEqual([url, `Bearer ${SECRET}`, 'k-123456']);
  });

  it.each([
    [`{"Authorization": Bearer ${SECRET}}`, 'FDI_NOTIFY_HEADERS must be a JSON object', 'does not parse as JSON'],
    [`["Authorization", "${SECRET}"]`, 'FDI_NOTIFY_HEADERS must be a JSON object', 'e.g.'],
    [`{"Bad Name": "${SECRET}"}`, 'entry 1 has a key that is not a header name', ''],
    // A whole header line as the key, token and all: the key is never shown.
    [`{"X-Ok": "v", "Authorization: Bearer ${SECRET}": ""}`, 'entry 2 has a key that is not a header name', ''],
    [`{"User-Agent": "${SECRET}"}`, '"User-Agent" is set by the notice itself', ''],
    [`{"Content-Type": "${SECRET}"}`, '"Content-Type" is set by the notice itself', ''],
    [`{"X-Token": 42}`, 'the value of "X-Token" must be a string', ''],
    [`{"X-Token": "a\\r\\n${SECRET}"}`, 'the value of "X-Token" holds a line break', ''],
  ])('%s is refused', (headers, message, also) => {
    const p = problem({ FDI_NOTIFY_URL: url, FDI_NOTIFY_HEADERS: headers });
    expect(p).toContain(message);
    expect(p).toContain(also);
    expect(p).not.toContain(SECRET);
  });

  it('without a URL: a problem, not silently ignored', () => {
    expect(problem({ FDI_NOTIFY_HEADERS: '{"X-Token": "t"}' })).toContain('FDI_NOTIFY_URL is not');
  });
});

describe('format, attempts and timeouts', () => {
  const url = 'https://hooks.example.com/h';

  it('defaults', () => {
    expect(loadConfig({ FDI_NOTIFY_URL: url }).notify).toMatchObject({
      format: 'json',
      attempts: NOTIFY_BOUNDS.attempts.default,
      attemptTimeoutMs: NOTIFY_BOUNDS.attemptTimeoutMs.default,
      timeoutMs: NOTIFY_BOUNDS.timeoutMs.default,
      headers: [],
    });
  });

  it('set', () => {
    const notify = loadConfig({
      FDI_NOTIFY_URL: url,
      FDI_NOTIFY_FORMAT: 'DingTalk',
      FDI_NOTIFY_ATTEMPTS: '2',
      FDI_NOTIFY_ATTEMPT_TIMEOUT_MS: '1500',
      FDI_NOTIFY_TIMEOUT_MS: '3000',
    }).notify;
    expect(notify).toMatchObject({ format: 'dingtalk', attempts: 2, attemptTimeoutMs: 1500, timeoutMs: 3000 });
  });

  it.each([
    ['FDI_NOTIFY_FORMAT', 'slack', 'FDI_NOTIFY_FORMAT must be one of json, feishu, dingtalk, wecom'],
    ['FDI_NOTIFY_ATTEMPTS', '0', 'FDI_NOTIFY_ATTEMPTS must be a whole number from 1 to 10'],
    ['FDI_NOTIFY_ATTEMPTS', '2.5', 'FDI_NOTIFY_ATTEMPTS must be a whole number'],
    [
      'FDI_NOTIFY_ATTEMPT_TIMEOUT_MS',
      '60001',
      'FDI_NOTIFY_ATTEMPT_TIMEOUT_MS must be a whole number from 100 to 60000',
    ],
    ['FDI_NOTIFY_TIMEOUT_MS', 'soon', 'FDI_NOTIFY_TIMEOUT_MS must be a whole number from 100 to 120000'],
  ])('%s=%s is refused', (name, value, message) => {
    expect(problem({ FDI_NOTIFY_URL: url, [name]: value })).toContain(message);
  });

  it('every problem at once, with the other settings', () => {
    const p = problem({ FDI_NOTIFY_URL: 'http://example.com/x', FDI_NOTIFY_ATTEMPTS: '99', FDI_RATE: '0' });
    expect(p).toMatch(/^3 settings are wrong/);
  });
});
