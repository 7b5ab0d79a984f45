// Akaunting's credentials for Settings: the site, the API user and its password, the company. Set by
// the AKAUNTING_* variables as before, or typed on Settings; the connection test signs in and reaches
// the company (GET /api/ping behind Akaunting's auth, API-permission and company checks).
import type { AkauntingConfig } from './settings.ts';
import { checkAddress, type CredentialDefinition } from '../../platform/integrations/credentials.ts';
import { AkauntingClient } from './akaunting.ts';

/** config.ts's default, for a connection typed on Settings (AKAUNTING_PAYMENT_METHOD still wins there). */
const PAYMENT_METHOD = 'offline-payments.bank_transfer.2';

export function akauntingCredentials(akaunting: AkauntingConfig | undefined): CredentialDefinition {
  return {
    integration: 'akaunting',
    label: 'Akaunting',
    purpose: "Each day's sales and expenses pushed to your Akaunting company as two summary transactions.",
    fields: [
      {
        name: 'url',
        label: 'Address',
        secret: false,
        env: 'AKAUNTING_URL',
        required: true,
        placeholder: 'https://books.example.com',
        check: checkAddress,
      },
      { name: 'email', label: 'API user’s email', secret: false, env: 'AKAUNTING_EMAIL', required: true },
      { name: 'password', label: 'Password', secret: true, env: 'AKAUNTING_PASSWORD', required: true },
      {
        name: 'company_id',
        label: 'Company id',
        secret: false,
        env: 'AKAUNTING_COMPANY_ID',
        defaultValue: '1',
        check: (value) => (/^[1-9]\d{0,9}$/.test(value) ? undefined : 'is a whole number, such as 1'),
      },
    ],
    test: async (values) => {
      const config = connection(values, akaunting);
      await new AkauntingClient(config).ping();
      return `Akaunting answered: signed in as ${config.email}, company ${config.companyId}.`;
    },
  };
}

function connection(
  values: Readonly<Record<string, string | undefined>>,
  fromEnvironment: AkauntingConfig | undefined,
): AkauntingConfig {
  return {
    accountId: undefined,
    incomeCategoryId: undefined,
    expenseCategoryId: undefined,
    paymentMethod: PAYMENT_METHOD,
    ...fromEnvironment,
    baseUrl: values.url!.replace(/\/$/, ''),
    email: values.email!,
    password: values.password!,
    companyId: Number(values.company_id ?? 1),
  };
}
