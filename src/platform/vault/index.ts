// The vault: integration secrets sealed with AES-256-GCM under the master key, which lives outside
// the database (master.key in the data directory, or SHOPKEEP_MASTER_KEY).
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { Vault } from './vault.ts';
import * as tables from './schema.ts';
import { secretRoutes } from './routes.ts';
import { vaultCommands } from './commands.ts';

export interface VaultParts {
  vault: Vault;
}

declare module '../kit/faces.ts' {
  interface Faces {
    vault: Vault;
  }
}

export default defineModule<undefined, VaultParts>({
  name: 'vault',
  migrations: { dir: sourcePath('platform/vault/migrations') },
  tables,
  build: ({ db, keys }) => ({ vault: new Vault(db, keys) }),
  provides: { vault: ({ vault }) => vault },
  http: [{ prefix: '', register: secretRoutes }],
  commands: vaultCommands,
});
