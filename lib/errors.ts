/**
 * The error hierarchy. One base class with `cause`; subclasses carry data.
 * Messages never hold a token, password, secret key, signature or signed URL.
 */

/** Exit codes of the CLI (README, "The command line"). */
export const EXIT = {
  ok: 0,
  someFailed: 1,
  rejected: 2,
  aborted: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Base of every error this project throws on purpose. */
export class ProvisionerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A location inside a source file; 1-based line and column. */
export interface SourceLocation {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * A problem caused by what the user gave us (manifest, flags, environment).
 * The CLI prints it without a stack trace and exits 2.
 */
export class UserError extends ProvisionerError {
  readonly location?: SourceLocation | undefined;
  readonly hint?: string | undefined;
  constructor(message: string, options?: { cause?: unknown; location?: SourceLocation; hint?: string }) {
    super(message, options);
    this.location = options?.location;
    this.hint = options?.hint;
  }
}

/** Configuration is missing or invalid (exit 2). */
export class ConfigError extends UserError {}

/** Formats a location as `file:line:column` (parts that are known). */
export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  const parts = [loc.file ?? '<input>'];
  if (loc.line !== undefined) parts.push(String(loc.line));
  if (loc.line !== undefined && loc.column !== undefined) parts.push(String(loc.column));
  return parts.join(':');
}
