// Settings: one page for what connects shopkeep to the rest (integration secrets, outgoing webhooks,
// API tokens). Each part keeps its own data; this page shows and changes them through their faces.
import { defineModule } from '../kit/module.ts';
import { settingsPages } from './pages.ts';
import type { Faces } from '../kit/faces.ts';
import { CredentialRegistry } from '../integrations/credentials.ts';

export interface SettingsParts {
  accounts: Faces['accounts'];
  vault: Faces['vault'];
  webhooks: Faces['webhooks'];
  audit: Faces['audit'];
  /** Every module's integration credentials: shown, saved and tested on this page. */
  credentials: () => CredentialRegistry;
}

export default defineModule<undefined, SettingsParts>({
  name: 'settings',
  needs: ['accounts', 'vault', 'webhooks', 'audit'],
  build: ({ use, config, contributions }) => {
    const vault = use('vault');
    return {
      accounts: use('accounts'),
      vault,
      webhooks: use('webhooks'),
      audit: use('audit'),
      // Asked for when the page's routes are registered: every module is built by then.
      credentials: () => new CredentialRegistry(vault, contributions.credentials(), config.env),
    };
  },
  http: [{ prefix: '', register: settingsPages }],
  menu: [{ href: '/settings', label: 'Settings', position: 90 }],
});
