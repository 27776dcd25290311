/**
 * The emulator's command-line defaults, in a module that imports nothing so that cli/program.ts can
 * name them without loading the emulator (its commands are imported only when they run).
 */

/** The port `emulator --port` and `local --emulator-port` default to; programmatically the default is 0. */
export const DEFAULT_EMULATOR_PORT = 8787;
