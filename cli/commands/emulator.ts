/** Placeholder until the `emulator` command lands; owned by the issue that builds it. */
import { UserError } from '../../lib/errors.js';
import type { CommandAction } from '../context.js';

const run: CommandAction = async () => {
  throw new UserError('the "emulator" command is not available in this build yet');
};
export default run;
