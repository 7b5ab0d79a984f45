// The shop's mailbox: IMAP and SMTP servers (Titan's by default), the login, the shop's address,
// and which categories shopkeep may answer without asking (none unless the owner says so).
import { ConfigError } from '../../platform/errors.ts';
import type { SettingsReader } from '../../platform/kit/settings.ts';
import { CATEGORIES, type Category } from './triage.ts';

export type Security = 'tls' | 'starttls' | 'none';
const SECURITY = ['tls', 'starttls', 'none'] as const;

export interface MailServer {
  host: string;
  port: number;
  security: Security;
}

export interface MailAccount {
  /** 'shop': the account the MAIL_* variables name. */
  name: string;
  imap: MailServer;
  smtp: MailServer;
  username: string;
  password: string;
  /** The shop's address, lower case: what replies come from and what counts as the shop's own mail. */
  address: string;
}

export interface MailSettings {
  account: MailAccount | undefined;
  /** Categories answered without the owner (when the gate approves and the sender is proven). */
  autoSend: Category[];
  /** The receiving server's authserv-id in Authentication-Results; unset: the topmost header counts. */
  authservId: string | undefined;
  /** Where warnings and critical alerts are emailed (SHOPKEEP_ALERT_EMAIL); none: not by email. */
  alertEmail: string | undefined;
}

/** Titan (the mailbox Shopify sells through its partner) by default. */
export const TITAN = {
  imap: { host: 'imap.titan.email', port: 993, security: 'tls' as Security },
  smtp: { host: 'smtp.titan.email', port: 465, security: 'tls' as Security },
};

export function mailSettings(read: SettingsReader): MailSettings {
  const username = read.text('MAIL_USERNAME');
  const password = read.text('MAIL_PASSWORD');
  const address = read.text('MAIL_ADDRESS') ?? (username?.includes('@') ? username : undefined);
  const autoSend = (read.text('SHOPKEEP_MAIL_AUTO_SEND') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const category of autoSend)
    if (!(CATEGORIES as readonly string[]).includes(category))
      throw new ConfigError(
        'SHOPKEEP_MAIL_AUTO_SEND',
        `"${category}" is not a category; use ${CATEGORIES.join(', ')}`,
      );
  const server = (kind: 'IMAP' | 'SMTP', fallback: MailServer): MailServer => ({
    host: read.text(`MAIL_${kind}_HOST`) ?? fallback.host,
    port: read.integer(`MAIL_${kind}_PORT`, fallback.port, 1, 65535),
    security: read.oneOf(`MAIL_${kind}_SECURITY`, SECURITY, fallback.security),
  });
  const imap = server('IMAP', TITAN.imap);
  const smtp = server('SMTP', TITAN.smtp);
  const alertEmail = read.text('SHOPKEEP_ALERT_EMAIL');
  if (alertEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alertEmail))
    throw new ConfigError(
      'SHOPKEEP_ALERT_EMAIL',
      'is the address warnings and urgent alerts go to (you@example.com)',
    );
  if (alertEmail !== undefined && !username)
    throw new ConfigError(
      'SHOPKEEP_ALERT_EMAIL',
      'needs the shop’s mailbox (MAIL_USERNAME, MAIL_PASSWORD) to send from',
    );
  const settings = {
    autoSend: autoSend as Category[],
    authservId: read.text('MAIL_AUTHSERV_ID'),
    alertEmail: alertEmail?.toLowerCase(),
  };
  if (!username && !password) return { ...settings, account: undefined };
  if (!username) throw new ConfigError('MAIL_USERNAME', 'is needed with MAIL_PASSWORD');
  if (!password) throw new ConfigError('MAIL_PASSWORD', 'is needed with MAIL_USERNAME');
  if (!address || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address))
    throw new ConfigError('MAIL_ADDRESS', 'is the shop’s email address (shop@example.com)');
  return {
    ...settings,
    account: { name: 'shop', imap, smtp, username, password, address: address.toLowerCase() },
  };
}
