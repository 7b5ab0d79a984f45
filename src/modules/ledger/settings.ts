// The books' settings: how stock sold is costed, and the Akaunting the daily summaries go to.
import { ConfigError } from '../../platform/errors.ts';
import type { SettingsReader } from '../../platform/kit/settings.ts';
import type { VatScheme } from './vat-return.ts';
import type { HmrcConfig } from './hmrc.ts';

export interface AkauntingConfig {
  baseUrl: string; // the Akaunting site; the API is under /api
  email: string;
  password: string;
  companyId: number;
  /** Unset: the first enabled account, and the first enabled income and expense categories. */
  accountId: number | undefined;
  incomeCategoryId: number | undefined;
  expenseCategoryId: number | undefined;
  paymentMethod: string;
}

export interface LedgerSettings {
  /** How stock sold is costed: first in, first out (first to expire first), or the running average. */
  costing: 'fifo' | 'average';
  /** Set: each day's sales and expenses are pushed to this Akaunting as two summary transactions. */
  akaunting: AkauntingConfig | undefined;
  /** The month the year's first VAT quarter ends: 3 (Mar, Jun, Sep, Dec), 1 (Jan, Apr, …) or 2 (Feb, May, …). */
  vatQuarterEnd: number;
  /** How the VAT return works out VAT: standard (invoice) accounting, or the Flat Rate Scheme. */
  vatScheme: VatScheme;
  /** Set: returns are sent to HMRC's Making Tax Digital VAT API with these application credentials. */
  hmrc: HmrcConfig | undefined;
}

const VAT_QUARTERS = { 'mar-jun-sep-dec': 3, 'jan-apr-jul-oct': 1, 'feb-may-aug-nov': 2 } as const;

/** HMRC's Making Tax Digital application: its client id and secret, and the VAT number to file for. */
function readHmrc(read: SettingsReader): HmrcConfig | undefined {
  const clientId = read.text('HMRC_CLIENT_ID');
  if (!clientId) return undefined;
  const clientSecret = read.text('HMRC_CLIENT_SECRET');
  if (!clientSecret)
    throw new ConfigError('HMRC_CLIENT_SECRET', 'is needed with HMRC_CLIENT_ID (or HMRC_CLIENT_SECRET_FILE)');
  const vrn = read.text('HMRC_VRN')?.replace(/\s|^GB/gi, '');
  if (!vrn || !/^\d{9}$/.test(vrn))
    throw new ConfigError(
      'HMRC_VRN',
      'is your VAT registration number, nine digits (needed with HMRC_CLIENT_ID)',
    );
  const baseUrl = (
    read.url('HMRC_BASE_URL', ['http:', 'https:']) ?? 'https://api.service.hmrc.gov.uk'
  ).replace(/\/$/, '');
  return { baseUrl, clientId, clientSecret, vrn };
}

function readVatScheme(read: SettingsReader): VatScheme {
  const kind = read.oneOf(
    'SHOPKEEP_VAT_SCHEME',
    ['standard', 'flat-rate'],
    'standard',
    ' (standard accounting, or the Flat Rate Scheme with SHOPKEEP_VAT_FLAT_RATE)',
  );
  if (kind === 'standard') return { kind };
  const flatRate = read.text('SHOPKEEP_VAT_FLAT_RATE');
  if (!flatRate || !/^\d{1,2}(\.\d{1,2})?$/.test(flatRate) || Number(flatRate) <= 0)
    throw new ConfigError(
      'SHOPKEEP_VAT_FLAT_RATE',
      'is the flat rate HMRC gave you, as a percentage like 7.5 (needed with SHOPKEEP_VAT_SCHEME=flat-rate)',
    );
  return { kind, flatRate };
}

export function ledgerSettings(read: SettingsReader): LedgerSettings {
  const costing = read.oneOf(
    'SHOPKEEP_LEDGER_COSTING',
    ['fifo', 'average'],
    'fifo',
    ' (IAS 2 allows no other)',
  );
  const vatQuarterEnd =
    VAT_QUARTERS[
      read.oneOf(
        'SHOPKEEP_VAT_QUARTERS',
        Object.keys(VAT_QUARTERS) as (keyof typeof VAT_QUARTERS)[],
        'mar-jun-sep-dec',
        ' (the months your VAT quarters end, as HMRC set them)',
      )
    ];
  const vatScheme = readVatScheme(read);
  const hmrc = readHmrc(read);
  const baseUrl = read.url('AKAUNTING_URL', ['http:', 'https:'])?.replace(/\/$/, '');
  if (baseUrl === undefined) return { costing, vatQuarterEnd, vatScheme, hmrc, akaunting: undefined };
  if (new URL(baseUrl).username)
    throw new ConfigError(
      'AKAUNTING_URL',
      'must not hold a user or password: set AKAUNTING_EMAIL and AKAUNTING_PASSWORD',
    );
  const email = read.text('AKAUNTING_EMAIL');
  const password = read.text('AKAUNTING_PASSWORD');
  if (!email) throw new ConfigError('AKAUNTING_EMAIL', 'is needed with AKAUNTING_URL: the API user’s email');
  if (!password)
    throw new ConfigError('AKAUNTING_PASSWORD', 'is needed with AKAUNTING_URL (or AKAUNTING_PASSWORD_FILE)');
  return {
    costing,
    vatQuarterEnd,
    vatScheme,
    hmrc,
    akaunting: {
      baseUrl,
      email,
      password,
      companyId: read.integer('AKAUNTING_COMPANY_ID', 1, 1, 2 ** 31),
      accountId: read.optionalInteger('AKAUNTING_ACCOUNT_ID', 1, 2 ** 31),
      incomeCategoryId: read.optionalInteger('AKAUNTING_INCOME_CATEGORY_ID', 1, 2 ** 31),
      expenseCategoryId: read.optionalInteger('AKAUNTING_EXPENSE_CATEGORY_ID', 1, 2 ** 31),
      paymentMethod: read.text('AKAUNTING_PAYMENT_METHOD') ?? 'offline-payments.bank_transfer.2',
    },
  };
}
