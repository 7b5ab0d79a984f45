// Reading a command's arguments, and printing its result as text or JSON.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/** A command was called wrongly: the message says how (exit 2). */
export class UsageError extends Error {}

/** parseArgs with a usage error that names the command. */
export function options<const T extends OptionsSpec>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
}

/** Data as JSON with --json, as the text given otherwise. */
export const print = (json: boolean, data: unknown, text: string) =>
  console.log(json ? JSON.stringify(data, null, 2) : text);
