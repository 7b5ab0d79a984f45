// The registry: every module shopkeep runs, platform parts first. A new module is one folder under
// src/modules/ with an index.ts that declares it (defineModule), and one line here.
import vault from '../platform/vault/index.ts';
import notify from '../platform/notify/index.ts';
import audit from '../platform/audit/index.ts';
import accounts from '../platform/accounts/index.ts';
import jobs from '../platform/jobs/index.ts';
import events from '../platform/events/index.ts';
import settings from '../platform/settings/index.ts';
import ops from './ops/index.ts';
import shop from './shop/index.ts';
import approvals from './approvals/index.ts';
import ai from './ai/index.ts';
import ledger from './ledger/index.ts';
import mail from './mail/index.ts';
import telegram from './telegram/index.ts';
import social from './social/index.ts';

export const MODULES = [
  vault,
  notify,
  audit,
  accounts,
  jobs,
  events,
  settings,
  ops,
  shop,
  approvals,
  ai,
  ledger,
  social,
  mail,
  telegram,
] as const;
