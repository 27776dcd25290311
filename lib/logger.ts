/**
 * The pino logger: JSON lines with a run id, pretty in a terminal. Header and credential fields are
 * redacted by path as a second line of defence; the first is that secrets are `Secret` values.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths pino removes from every log line, wherever a careless caller puts a credential. */
export const REDACT_PATHS = [
  'token',
  'password',
  'secretKey',
  'securityToken',
  'authorization',
  '*.token',
  '*.password',
  '*.secretKey',
  '*.securityToken',
  '*.authorization',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
];

export interface LoggerOptions {
  level?: string;
  runId?: string;
  /** Pretty-print (only meaningful when the destination is a terminal). */
  pretty?: boolean;
  destination?: DestinationStream;
}

/** Builds a logger; `pretty` uses pino-pretty synchronously so lines and progress do not interleave badly. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: options.runId ? { run_id: options.runId } : {},
  };
  if (options.pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { destination: 2, sync: true, ignore: 'pid,hostname' } },
    });
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything (tests, `--quiet` paths that want no output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
