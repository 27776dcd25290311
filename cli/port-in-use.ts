/** The message of the commands that listen (`emulator`, `local`) when their port is taken. */
import { UserError } from '../lib/errors.js';

/** Port `port` on `host` is held by another program; `flag` is the one that moves it. */
export function portInUse(where: { port?: number | undefined; host?: string | undefined }, flag: string): UserError {
  return new UserError(
    `port ${where.port} on ${where.host} is already in use; pick another with ${flag} (0 = any free port)`,
  );
}
