// Settings: one page for what connects shopkeep to the rest (integrations and their credentials,
// integration secrets, outgoing webhooks, API tokens). Each part keeps its own data; this page shows
// and changes them through their faces.
import { defineModule } from '../kit/module.ts';
import { settingsPages } from './pages.ts';
import type { Faces } from '../kit/faces.ts';
import { CredentialRegistry } from '../integrations/credentials.ts';

export interface SettingsParts {
  tokens: Faces['apiTokens'];
  secrets: Faces['integrationSecrets'];
  webhooks: Faces['webhooks'];
  audit: Faces['audit'];
  /** Every module's integration credentials: shown, saved and tested on this page. */
  credentials: () => CredentialRegistry;
}

const definition = defineModule<undefined, SettingsParts>({
  name: 'settings',
  needs: ['apiTokens', 'integrationSecrets', 'webhooks', 'audit'],
  build: ({ use, config, contributions }) => {
    const secrets = use('integrationSecrets');
    return {
      tokens: use('apiTokens'),
      secrets,
      webhooks: use('webhooks'),
      audit: use('audit'),
      // Asked for when the page's routes are registered: every module is built by then.
      credentials: () => new CredentialRegistry(secrets, contributions.credentials(), config.env),
    };
  },
  http: [{ prefix: '/settings', register: settingsPages }],
  menu: [{ href: '/settings', label: 'Settings', position: 90 }],
});

export default definition;
