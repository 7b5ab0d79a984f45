// The vault: integration secrets sealed with AES-256-GCM under the master key, which lives outside
// the database (master.key in the data directory, or SHOPKEEP_MASTER_KEY).
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { Vault } from './vault.ts';
import type { IntegrationSecrets, Secrets } from './face.ts';
import * as tables from './schema.ts';
import { secretRoutes } from './routes.ts';
import { vaultCommands } from './commands.ts';

export type { IntegrationSecrets, SecretInfo, Secrets } from './face.ts';

export interface VaultParts {
  vault: Vault;
}

declare module '../kit/faces.ts' {
  interface Faces {
    /** Secrets a module keeps sealed under the master key. */
    vault: Secrets;
    /** The integration secrets the owner keeps by hand (Settings). */
    integrationSecrets: IntegrationSecrets;
  }
}

const definition = defineModule<undefined, VaultParts>({
  name: 'vault',
  migrations: { dir: sourcePath('platform/vault/migrations') },
  tables,
  build: ({ db, keys }) => ({ vault: new Vault({ pool: db, keys }) }),
  provides: { vault: ({ vault }) => vault, integrationSecrets: ({ vault }) => vault },
  http: [{ prefix: '/api/v1/secrets', register: secretRoutes }],
  commands: vaultCommands,
});

export default definition;
