import { describe, expect, it } from 'vitest';
import { DEFAULT_DATASOURCES, EmulatorConfigError, checkFaults, parseDataSources } from '../../../emulator/index.js';
import { resolveOptions } from '../../../emulator/options.js';

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      tokens: ['local-token'],
      aksk: [],
      iamUsers: [{ domain: 'local-domain', user: 'local-user', password: 'local-password' }],
      tokenTtlSeconds: 86_400,
      projects: ['local-project'],
      instances: ['local-instance'],
      maxTasks: 1000,
      rateQuota: undefined,
      hangMs: 120_000,
      faults: {},
      detailForm: 'response',
      noDispatch: '404',
    });
    expect(o.datasources).toEqual(DEFAULT_DATASOURCES);
  });

  it('lists every problem at once', () => {
    expect(() =>
      resolveOptions({ port: 70_000, maxTasks: -1, projects: [], faults: { 500: 2 }, rateQuota: 0 }),
    ).toThrow(EmulatorConfigError);
    try {
      resolveOptions({ port: 70_000, maxTasks: -1, projects: [], faults: { 500: 2 } });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toMatch(/port/);
      expect(msg).toMatch(/maxTasks/);
      expect(msg).toMatch(/projects/);
      expect(msg).toMatch(/fault 500/);
    }
  });

  it('checks detailForm and noDispatch', () => {
    expect(resolveOptions({ detailForm: 'request', noDispatch: 'no-id' })).toMatchObject({
      detailForm: 'request',
      noDispatch: 'no-id',
    });
    expect(() => resolveOptions({ detailForm: 'snake' as never, noDispatch: 404 as never })).toThrow(
      /detailForm must be one of "response", "request" \(got "snake"\); noDispatch must be one of "404", "empty", "no-id" \(got 404\)/,
    );
  });

  it('refuses duplicate data source IDs', () => {
    const ds = { datasource_id: 'x', datasource_name: 'x', datasource_type: 'API', app_id: 'a' };
    expect(() => resolveOptions({ datasources: [ds, ds] })).toThrow(/appears twice/);
  });
});

describe('checkFaults', () => {
  it.each([
    [{ 500: 0.5, reset: 0.5 }, 0],
    [{ 500: -0.1 }, 1],
    [{ 500: 0.7, 502: 0.7 }, 1],
    [{ boom: 0.1 }, 1],
    ['500=1', 1],
  ])('%j → %i problems', (faults, n) => {
    expect(checkFaults(faults)).toHaveLength(n);
  });
});

describe('the default data sources', () => {
  it('hold every data source ID of the documented example request', () => {
    const ids = DEFAULT_DATASOURCES.map((d) => d.datasource_id);
    for (const id of [
      '30969b205e8f4392a25fb321112d1753',
      '79c4caaa3e1441dfb0351038fcf5f281',
      'a87a31a6288e4698865be122ae485dc0',
    ])
      expect(ids).toContain(id);
  });

  it('have unique IDs and a name that is a substring of another', () => {
    const names = DEFAULT_DATASOURCES.map((d) => d.datasource_name);
    expect(new Set(DEFAULT_DATASOURCES.map((d) => d.datasource_id)).size).toBe(DEFAULT_DATASOURCES.length);
    expect(names).toEqual(expect.arrayContaining(['crm-api', 'crm-api-v2', 'oracle-cdc', 'mysql-orders']));
  });
});

describe('parseDataSources', () => {
  it('reads YAML and JSON arrays', () => {
    const yaml = '- datasource_id: a1\n  datasource_name: one\n  datasource_type: MYSQL\n  app_id: app\n';
    expect(parseDataSources(yaml, 'ds.yaml')).toEqual([
      expect.objectContaining({ datasource_id: 'a1', datasource_name: 'one' }),
    ]);
    const json = JSON.stringify([
      { datasource_id: 'b2', datasource_name: 'two', datasource_type: 'API', app_id: 'app', app_name: 'App' },
    ]);
    expect(parseDataSources(json, 'ds.json')[0]).toMatchObject({ datasource_id: 'b2', app_name: 'App' });
  });

  it.each([
    ['not YAML', 'a: [', /ds.yaml: not valid YAML/],
    ['not an array', 'datasource_id: x', /non-empty array/],
    ['an empty array', '[]', /non-empty array/],
    ['a missing field', '- {datasource_id: a, datasource_name: b, datasource_type: API}', /\[0\]\.app_id/],
    [
      'a misspelt field',
      '- {datasource_id: a, datasource_name: b, datasource_type: API, app_id: c, appid: d}',
      /appid/,
    ],
    [
      'a duplicate ID',
      '- {datasource_id: a, datasource_name: b, datasource_type: API, app_id: c}\n- {datasource_id: a, datasource_name: d, datasource_type: API, app_id: c}',
      /appears twice/,
    ],
  ])('refuses %s, naming the file', (_what, text, message) => {
    expect(() => parseDataSources(text, 'ds.yaml')).toThrow(message);
  });
});
