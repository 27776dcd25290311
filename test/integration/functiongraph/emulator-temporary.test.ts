/**
 * The emulator's temporary credentials (an agency's AK/SK with a security token): a request signed
 * with them is accepted only when it carries that token in X-Security-Token (signed like any header).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { EmulatorConfigError } from '../../../emulator/options.js';
import { signRequest } from '../../../lib/fdi/model/signer.js';
import { BASE, call, taskBody } from '../emulator/helpers.js';

const TEMP = { ak: 'TEMPAK000TEST', sk: 'temp-secret-never-echoed', securityToken: 'temp-security-token-never-echoed' };
const path = `${BASE}/tasks`;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ temporaryCredentials: [TEMP] });
});
afterAll(() => emu.close());

function signed(
  body: string,
  creds: { accessKey: string; secretKey: string; securityToken?: string },
): Record<string, string> {
  const headers = { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': 'local-project' };
  return { ...headers, ...signRequest({ method: 'POST', url: path, headers, body }, creds) };
}

describe('temporary AK/SK with X-Security-Token', () => {
  it('accepts a request signed with them and carrying their security token', async () => {
    const body = JSON.stringify(taskBody('temp-signed'));
    const headers = signed(body, { accessKey: TEMP.ak, secretKey: TEMP.sk, securityToken: TEMP.securityToken });
    expect(headers['X-Security-Token']).toBe(TEMP.securityToken);
    const res = await call(emu.url, 'POST', path, { auth: false, headers, body });
    expect(res.status).toBe(200);
  });

  it.each([
    ['without the security token', undefined],
    ['with another security token', 'some-other-token-value'],
  ])('refuses them %s (401 APIGW.0301), echoing no credential', async (_name, securityToken) => {
    const body = JSON.stringify(taskBody('temp-refused'));
    const headers = signed(body, {
      accessKey: TEMP.ak,
      secretKey: TEMP.sk,
      ...(securityToken ? { securityToken } : {}),
    });
    const res = await call(emu.url, 'POST', path, { auth: false, headers, body });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: expect.stringContaining('verify aksk signature fail'),
    });
    for (const s of [TEMP.sk, TEMP.securityToken, 'some-other-token-value']) expect(res.text).not.toContain(s);
  });

  it('refuses a temporary credential without its security token in the options', async () => {
    await expect(
      startEmulator({ temporaryCredentials: [{ ak: 'A', sk: 'S', securityToken: '' }] }),
    ).rejects.toBeInstanceOf(EmulatorConfigError);
  });
});
