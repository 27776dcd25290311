/** Placeholder until the `validate` command lands; owned by the issue that builds it. */
import { UserError } from '../../lib/errors.js';
import type { CommandAction } from '../context.js';

const run: CommandAction = async () => {
  throw new UserError('the "validate" command is not available in this build yet');
};
export default run;
