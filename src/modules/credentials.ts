// The credentials of every integration the modules use, for Settings and for start-up. When each
// module declares itself (issue 11's module kit), it brings its own definitions and this list goes.
import type { Config } from '../platform/config.ts';
import type { CredentialDefinition } from '../platform/integrations/credentials.ts';
import { aiCredentials } from './ai/providers/credentials.ts';
import { akauntingCredentials } from './ledger/akaunting-credentials.ts';

/** Built from the configuration as parsed from the environment (it says which values the environment set). */
export function integrationCredentials(config: Config): CredentialDefinition[] {
  return [...aiCredentials(config.ai), akauntingCredentials(config.akaunting)];
}
