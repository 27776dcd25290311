/**
 * Request authentication for FDI: a static IAM token, an IAM token fetched with a password and
 * refreshed before it expires (and once on 401), or AK/SK `SDK-HMAC-SHA256` signing.
 */
import type { Got } from 'got';
import type { AuthConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { FdiError } from './fdi-error.js';
import { paths } from '../model/api.js';
import { signRequest } from '../model/signer.js';

/** What the signer of a request sees. */
export interface OutgoingRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Authenticator {
  /** Headers that authenticate this request. */
  headers(req: OutgoingRequest, signal?: AbortSignal): Promise<Record<string, string>>;
  /** Called after a 401: obtains fresh credentials if it can. True when the request is worth one more try. */
  refresh(signal?: AbortSignal): Promise<boolean>;
}

export interface AuthDeps {
  /** A got instance for IAM calls (no retry, its own timeout). */
  http: Got;
  projectId?: string | undefined;
  now?: (() => number) | undefined;
}

/** Builds the authenticator of a configuration. */
export function createAuthenticator(auth: AuthConfig, deps: AuthDeps): Authenticator {
  switch (auth.kind) {
    case 'token':
      return { headers: async () => ({ 'X-Auth-Token': auth.token.reveal() }), refresh: async () => false };
    case 'aksk':
      return {
        headers: async (req) => {
          const extra: Record<string, string> = deps.projectId ? { 'X-Project-Id': deps.projectId } : {};
          const signed = signRequest(
            { method: req.method, url: req.url, headers: { ...req.headers, ...extra }, body: req.body },
            {
              accessKey: auth.accessKey,
              secretKey: auth.secretKey.reveal(),
              securityToken: auth.securityToken?.reveal(),
            },
          );
          return { ...extra, ...signed };
        },
        refresh: async () => false,
      };
    case 'iam':
      return new IamTokenAuthenticator(auth, deps);
    case 'none':
      throw new ConfigError(
        'no FDI credentials: set FDI_AUTH_TOKEN, or FDI_ACCESS_KEY and FDI_SECRET_KEY, or FDI_IAM_ENDPOINT/FDI_IAM_DOMAIN/FDI_IAM_USER/FDI_IAM_PASSWORD',
      );
  }
}

/** Refresh this long before expiry at most (and at least a fifth of the token's lifetime). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Fetches a token with the IAM password flow, caches it until shortly before it expires, single-flight. */
class IamTokenAuthenticator implements Authenticator {
  #token?: { value: Secret; refreshAt: number } | undefined;
  #pending?: Promise<Secret> | undefined;
  readonly #now: () => number;

  constructor(
    private readonly auth: Extract<AuthConfig, { kind: 'iam' }>,
    private readonly deps: AuthDeps,
  ) {
    this.#now = deps.now ?? Date.now;
  }

  async headers(_req: OutgoingRequest, signal?: AbortSignal): Promise<Record<string, string>> {
    const token = this.#token && this.#now() < this.#token.refreshAt ? this.#token.value : await this.#fetch(signal);
    return { 'X-Auth-Token': token.reveal() };
  }

  async refresh(signal?: AbortSignal): Promise<boolean> {
    this.#token = undefined;
    await this.#fetch(signal);
    return true;
  }

  #fetch(signal?: AbortSignal): Promise<Secret> {
    this.#pending ??= this.#request(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #request(signal?: AbortSignal): Promise<Secret> {
    const { endpoint, domain, user, password, projectName } = this.auth;
    const scope = projectName
      ? { project: { name: projectName } }
      : this.deps.projectId
        ? { project: { id: this.deps.projectId } }
        : { domain: { name: domain } };
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user, password: password.reveal(), domain: { name: domain } } },
        },
        scope,
      },
    };
    const operation = 'POST /v3/auth/tokens';
    let res;
    try {
      res = await this.deps.http.post(`${endpoint.replace(/\/+$/, '')}${paths.iamTokens()}`, {
        json: body,
        throwHttpErrors: false,
        signal,
      });
    } catch (err) {
      // got's error is not kept as cause: it carries the request options, the password among them.
      throw new FdiError({
        kind: signal?.aborted ? 'aborted' : 'network',
        operation,
        code: (err as { code?: string | undefined }).code,
      });
    }
    const subject = res.headers['x-subject-token'];
    if (res.statusCode !== 201 || typeof subject !== 'string' || subject === '') {
      throw new FdiError({
        kind: 'http',
        operation,
        status: res.statusCode,
        errorCode: res.statusCode === 401 ? 'IAM.0001' : `HTTP.${res.statusCode}`,
        errorMsg: `IAM refused the password authentication of user "${user}" in domain "${domain}"`,
      });
    }
    const value = new Secret(subject);
    const expiresAt = Date.parse(readExpiry(res.body));
    const now = this.#now();
    const lifetime = Number.isFinite(expiresAt) ? expiresAt - now : 24 * 3_600_000;
    const margin = Math.min(REFRESH_MARGIN_MS, Math.max(0, lifetime / 5));
    this.#token = { value, refreshAt: now + lifetime - margin };
    return value;
  }
}

function readExpiry(body: string): string {
  try {
    return (JSON.parse(body) as { token?: { expires_at?: string | undefined } }).token?.expires_at ?? '';
  } catch {
    return '';
  }
}
