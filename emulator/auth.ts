/**
 * Authentication as the API gateway does it: a static or IAM-issued `X-Auth-Token`, or an AK/SK
 * `SDK-HMAC-SHA256` signature. Plus the IAM side: issuing expiring tokens for `POST /v3/auth/tokens`.
 * No token, password or signature ever appears in a message.
 */
import { randomBytes } from 'node:crypto';
import { verifySignature } from '../lib/fdi/model/signer.js';
import { ERROR_CODES } from '../lib/fdi/model/api.js';

export type AuthResult = { ok: true } | { ok: false; status: 401; code: string; message: string };

const INCORRECT = 'Incorrect IAM authentication information';

/** The request parts authentication looks at. `url` is path + query exactly as received. */
export interface AuthRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface IssuedToken {
  expiresAt: number;
}

/** Temporary AK/SK accepted only with their security token (`X-Security-Token`). */
export interface TemporaryCredentials {
  ak: string;
  sk: string;
  securityToken: string;
}

export interface IamUser {
  domain: string;
  user: string;
  password: string;
}

/** A token issued by POST /v3/auth/tokens and the body IAM answers with. */
export interface IssuedTokenResponse {
  token: string;
  body: Record<string, unknown>;
}

export class Authenticator {
  private staticTokens: Set<string>;
  private readonly secrets: Map<string, string>;
  /** Temporary AK → its SK and the security token every request signed with it must carry. */
  private readonly temporary: Map<string, { sk: string; securityToken: string }>;
  private readonly issued = new Map<string, IssuedToken>();

  constructor(
    tokens: string[],
    aksk: { ak: string; sk: string }[],
    private readonly iamUsers: IamUser[],
    temporary: TemporaryCredentials[] = [],
  ) {
    this.staticTokens = new Set(tokens);
    this.secrets = new Map(aksk.map((p) => [p.ak, p.sk]));
    this.temporary = new Map(temporary.map((t) => [t.ak, { sk: t.sk, securityToken: t.securityToken }]));
  }

  /** Checks one FDI API request. */
  authenticate(req: AuthRequest, now: number): AuthResult {
    const token = single(req.headers['x-auth-token']);
    if (token !== undefined) {
      if (this.staticTokens.has(token)) return { ok: true };
      const issued = this.issued.get(token);
      if (!issued) return fail(ERROR_CODES.authFailed, `${INCORRECT}: decrypt token fail`);
      if (issued.expiresAt <= now) return fail(ERROR_CODES.tokenExpired, 'The token must be updated.');
      return { ok: true };
    }
    if (single(req.headers.authorization) !== undefined) {
      // Temporary credentials (an agency's): the signature must hold and X-Security-Token be theirs.
      const securityToken = single(req.headers['x-security-token']);
      const result = verifySignature(
        { method: req.method, url: req.url, headers: req.headers, body: req.body },
        (ak) => {
          const temp = this.temporary.get(ak);
          if (temp) return securityToken === temp.securityToken ? temp.sk : undefined;
          return this.secrets.get(ak);
        },
        new Date(now),
      );
      if (result.ok) return { ok: true };
      return fail(ERROR_CODES.authFailed, `${INCORRECT}: ${result.reason}`);
    }
    return fail(ERROR_CODES.authFailed, `${INCORRECT}: x-auth-token not found`);
  }

  /**
   * Handles the body of `POST /v3/auth/tokens` (password method). Returns the new token and IAM's
   * response body, or undefined when the user, domain or password is wrong or the body is not the
   * documented shape.
   */
  issue(body: unknown, ttlSeconds: number, now: number): IssuedTokenResponse | undefined {
    const auth = (body as { auth?: Record<string, unknown> } | undefined)?.auth;
    const identity = auth?.identity as { methods?: unknown; password?: { user?: Record<string, unknown> } } | undefined;
    if (!Array.isArray(identity?.methods) || !identity.methods.includes('password')) return undefined;
    const user = identity.password?.user;
    const domain = (user?.domain as { name?: unknown } | undefined)?.name;
    const match = this.iamUsers.find(
      (u) => u.user === user?.name && u.password === user?.password && u.domain === domain,
    );
    if (!match) return undefined;
    const token = `MII${randomBytes(48).toString('base64url')}`;
    const expiresAt = now + ttlSeconds * 1000;
    this.issued.set(token, { expiresAt });
    const scope = (auth?.scope as { project?: { id?: unknown; name?: unknown } } | undefined)?.project;
    const response = {
      token: {
        expires_at: new Date(expiresAt).toISOString(),
        issued_at: new Date(now).toISOString(),
        methods: ['password'],
        user: {
          name: match.user,
          id: idOf(`user:${match.user}`),
          domain: { name: match.domain, id: idOf(`domain:${match.domain}`) },
        },
        project: {
          name: typeof scope?.name === 'string' ? scope.name : 'cn-north-4',
          id: typeof scope?.id === 'string' ? scope.id : idOf('project'),
          domain: { name: match.domain, id: idOf(`domain:${match.domain}`) },
        },
        roles: [],
        catalog: [],
      },
    };
    return { token, body: response };
  }

  /** Replaces the accepted static tokens (a revoked one answers 401 from then on). */
  acceptTokens(tokens: readonly string[]): void {
    this.staticTokens = new Set(tokens);
  }

  /** Makes every IAM-issued token expired (static tokens never expire). */
  expireAll(now: number): void {
    for (const t of this.issued.values()) t.expiresAt = Math.min(t.expiresAt, now - 1);
  }
}

function fail(code: string, message: string): AuthResult {
  return { ok: false, status: 401, code, message };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A stable 32-hex ID derived from a label, so IAM answers look the same across runs. */
function idOf(label: string): string {
  let h = 2166136261;
  const out: string[] = [];
  for (let round = 0; round < 4; round += 1) {
    for (const c of `${round}:${label}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    out.push(h.toString(16).padStart(8, '0'));
  }
  return out.join('');
}

/** IAM's own error body (not the gateway's): `{error:{code, message, title}}`. */
export function iamError(code: number, message: string, title: string): Record<string, unknown> {
  return { error: { code, message, title } };
}
