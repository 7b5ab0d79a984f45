// The shop's mailbox on Settings: servers (Titan's by default), login and address, typed there and
// sealed in the vault or set by the MAIL_* variables; "Test connection" logs in to IMAP and SMTP.
import type { CredentialDefinition, CredentialValues } from '../../platform/integrations/credentials.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import { smtpTransport } from './outgoing.ts';
import { TITAN, type MailAccount, type MailSettings, type Security } from './settings.ts';

const SECURITY = (value: string) =>
  ['tls', 'starttls', 'none'].includes(value) ? undefined : 'is tls, starttls or none';
const PORT = (value: string) =>
  /^\d{1,5}$/.test(value) && Number(value) <= 65535 ? undefined : 'is a port number';

function accountFrom(values: CredentialValues): MailAccount {
  const need = (name: string) => {
    const value = values[name];
    if (!value) throw new IntegrationError('mail', 'rejected', `${name.replace('_', ' ')} is missing`);
    return value;
  };
  return {
    name: 'shop',
    imap: {
      host: need('imap_host'),
      port: Number(need('imap_port')),
      security: need('imap_security') as Security,
    },
    smtp: {
      host: need('smtp_host'),
      port: Number(need('smtp_port')),
      security: need('smtp_security') as Security,
    },
    username: need('username'),
    password: need('password'),
    address: (values.address ?? values.username ?? '').toLowerCase(),
  };
}

export function mailCredentials(_settings: MailSettings): CredentialDefinition[] {
  const field = (
    name: string,
    label: string,
    env: string,
    defaultValue?: string,
    check?: (v: string) => string | undefined,
  ) => ({
    name,
    label,
    secret: false,
    env,
    required: true,
    ...(defaultValue ? { defaultValue } : {}),
    ...(check ? { check } : {}),
  });
  return [
    {
      integration: 'mail',
      label: 'Shop mailbox',
      purpose:
        'Reads the shop’s email (IMAP), sorts it, drafts replies in your voice and sends the ones you approve (SMTP).',
      fields: [
        field('imap_host', 'IMAP server', 'MAIL_IMAP_HOST', TITAN.imap.host),
        field('imap_port', 'IMAP port', 'MAIL_IMAP_PORT', String(TITAN.imap.port), PORT),
        field(
          'imap_security',
          'IMAP security (tls, starttls, none)',
          'MAIL_IMAP_SECURITY',
          TITAN.imap.security,
          SECURITY,
        ),
        field('smtp_host', 'SMTP server', 'MAIL_SMTP_HOST', TITAN.smtp.host),
        field('smtp_port', 'SMTP port', 'MAIL_SMTP_PORT', String(TITAN.smtp.port), PORT),
        field(
          'smtp_security',
          'SMTP security (tls, starttls, none)',
          'MAIL_SMTP_SECURITY',
          TITAN.smtp.security,
          SECURITY,
        ),
        field('username', 'Login (usually the address)', 'MAIL_USERNAME'),
        { name: 'password', label: 'Password', secret: true, env: 'MAIL_PASSWORD', required: true },
        {
          ...field('address', 'The shop’s address', 'MAIL_ADDRESS'),
          required: false,
          placeholder: 'the login, when it is an address',
        },
      ],
      test: async (values) => {
        const account = accountFrom(values);
        const { ImapSession, explainImap } = await import('./imap.ts');
        let folders;
        try {
          const session = await ImapSession.open(account);
          try {
            folders = await session.folders();
          } finally {
            await session.close();
          }
        } catch (error) {
          throw new IntegrationError(
            'mail',
            'rejected',
            `IMAP ${account.imap.host}:${account.imap.port}: ${explainImap(error)}`,
          );
        }
        const transport = await smtpTransport(account);
        try {
          await transport.verify();
        } catch (error) {
          throw new IntegrationError(
            'mail',
            'rejected',
            `SMTP ${account.smtp.host}:${account.smtp.port}: ${(error as Error).message}`,
          );
        } finally {
          transport.close();
        }
        return `Logged in to IMAP and SMTP; Sent is “${folders.sent ?? 'not found'}”.`;
      },
    },
  ];
}
