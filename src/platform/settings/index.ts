// Settings: one page for what connects shopkeep to the rest (integration secrets, outgoing webhooks,
// API tokens). Each part keeps its own data; this page shows and changes them through their faces.
import { defineModule } from '../kit/module.ts';
import { settingsPages } from './pages.ts';
import type { Faces } from '../kit/faces.ts';

export interface SettingsParts {
  accounts: Faces['accounts'];
  vault: Faces['vault'];
  webhooks: Faces['webhooks'];
}

export default defineModule<undefined, SettingsParts>({
  name: 'settings',
  needs: ['accounts', 'vault', 'webhooks'],
  build: ({ use }) => ({ accounts: use('accounts'), vault: use('vault'), webhooks: use('webhooks') }),
  http: [{ prefix: '', register: settingsPages }],
  menu: [{ href: '/settings', label: 'Settings', position: 90 }],
});
