/**
 * What a command receives besides its arguments: the process streams and environment, so tests can
 * run commands in-process and a command never reaches for globals.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where a question is answered (destroy asks before deleting); absent or not a terminal: nobody to ask. */
  stdin?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** Flags shared by the commands that talk to FDI (README, "The command line"). */
export interface CommonFlags {
  endpoint?: string;
  projectId?: string;
  instanceId?: string;
  token?: string;
  concurrency?: string;
  rate?: string;
  maxAttempts?: string;
  timeoutMs?: string;
  burst?: string;
  report?: string;
  state?: string;
  json?: boolean;
  quiet?: boolean;
}

/** A command's action: resolves to the process exit code. */
export type CommandAction<F = CommonFlags> = (args: string[], flags: F, ctx: CliContext) => Promise<number>;
