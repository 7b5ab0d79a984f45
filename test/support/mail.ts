// Real mail servers for tests: Dovecot (Debian dovecot-imapd) on its own port and directory with one
// test user, a TCP proxy in front of it that can cut connections mid-transfer, and an SMTP server
// (npm smtp-server) that records what it is sent and can refuse.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { freePort } from './cli.ts';
import { waitFor } from './wait.ts';

export const MAILBOX = {
  user: 'shop@hairshop.test',
  password: 'dovecot-test-password-1',
  address: 'shop@hairshop.test',
};

export interface Dovecot {
  port: number;
  dir: string;
  /** Puts a raw message in a folder, as delivery (or the owner's mail client) would, at `at` (now). */
  append(raw: string | Buffer, folder?: string, flags?: string[], at?: Date): Promise<void>;
  /** Raw messages in a folder, oldest first. */
  messages(folder: string): Promise<Buffer[]>;
  /** Empties and recreates a folder: new UIDVALIDITY, as after a server migration. */
  recreate(folder: string): Promise<void>;
  stop(): Promise<void>;
}

function dovecotBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v dovecot || ls /usr/sbin/dovecot'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (!found)
    throw new Error('Dovecot is not installed: apt-get install dovecot-imapd (.ci/run installs it)');
  return found.split('\n')[0]!;
}

export async function startDovecot(): Promise<Dovecot> {
  const binary = dovecotBinary();
  const dir = mkdtempSync(path.join(tmpdir(), 'shopkeep-dovecot-'));
  // Dovecot's auth and login processes run as its own users: they must reach the directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const root = process.getuid?.() === 0;
  // As root, mail belongs to the dovecot user; otherwise to whoever runs the tests.
  const account = root
    ? spawnSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).stdout.trim()
    : String(process.getuid?.());
  const group = root
    ? spawnSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).stdout.trim()
    : String(process.getgid?.());
  const user = root ? 'dovecot' : userInfo().username;
  mkdirSync(path.join(dir, 'mail'));
  mkdirSync(path.join(dir, 'run'));
  if (root) chownSync(path.join(dir, 'mail'), Number(account), Number(group));
  writeFileSync(path.join(dir, 'users'), `${MAILBOX.user}:{PLAIN}${MAILBOX.password}\n`, { mode: 0o644 });
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/run
state_dir = ${dir}/run/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
first_valid_uid = 1
default_internal_user = ${user}
default_login_user = ${user}
mail_location = maildir:${dir}/mail/%u
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${account} gid=${group} home=${dir}/mail/%u
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
`,
  );
  const child: ChildProcess = spawn(binary, ['-F', '-c', path.join(dir, 'dovecot.conf')], {
    stdio: 'ignore',
  });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    15_000,
    'Dovecot to listen',
  );
  const withClient = async <T>(work: (client: import('imapflow').ImapFlow) => Promise<T>): Promise<T> => {
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: MAILBOX.user, pass: MAILBOX.password },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
  return {
    port,
    dir,
    append: (raw, folder = 'INBOX', flags = []) =>
      withClient(async (c) => void (await c.append(folder, raw, flags))),
    messages: (folder) =>
      withClient(async (c) => {
        const lock = await c.getMailboxLock(folder);
        try {
          if (!c.mailbox || c.mailbox.exists === 0) return [];
          return (await c.fetchAll('1:*', { source: true })).map((m) => m.source!);
        } finally {
          lock.release();
        }
      }),
    recreate: (folder) =>
      withClient(async (c) => {
        await c.mailboxDelete(folder);
        await c.mailboxCreate(folder);
      }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) =>
        child.exitCode === null ? child.once('exit', resolve) : resolve(undefined),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP proxy to a server that can cut every connection, or the next one after some bytes from the server. */
export interface CuttingProxy {
  port: number;
  /** Cuts the next connection once this many bytes came back from the server. */
  cutAfter(bytes: number): void;
  cutAll(): void;
  connections: number;
  stop(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let cutAt: number | undefined;
  const proxy: CuttingProxy = {
    port: 0,
    connections: 0,
    cutAfter(bytes) {
      cutAt = bytes;
    },
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    stop: async () => {},
  };
  const server: Server = createServer((client) => {
    proxy.connections += 1;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    let limit = cutAt;
    let seen = 0;
    upstream.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (limit !== undefined && seen > limit && limit >= 0) {
        // Hand over part of the chunk, then drop both sides mid-transfer.
        client.write(chunk.subarray(0, Math.max(0, chunk.length - (seen - limit))));
        cutAt = undefined;
        limit = -1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.stop = () =>
    new Promise((resolve) => {
      proxy.cutAll();
      server.close(() => resolve());
    });
  return proxy;
}

export interface RecordedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpRecorder {
  port: number;
  sent: RecordedMail[];
  /** Refuses RCPT TO for these addresses with 550 (no such user). */
  refuse: Set<string>;
  stop(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpRecorder> {
  const { SMTPServer } = await import('smtp-server');
  const recorder: SmtpRecorder = { port: 0, sent: [], refuse: new Set(), stop: async () => {} };
  const server = new SMTPServer({
    secure: false,
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === MAILBOX.user && auth.password === MAILBOX.password)
        return callback(null, { user: auth.username });
      return callback(new Error('535 5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      if (recorder.refuse.has(address.address.toLowerCase())) {
        const error = new Error('5.1.1 No such user here') as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        recorder.sent.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  recorder.port = port;
  recorder.stop = () => new Promise((resolve) => server.close(() => resolve()));
  return recorder;
}

/** The MAIL_* environment for a mailbox behind these servers. */
export function mailEnv(
  imapPort: number,
  smtpPort: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    MAIL_IMAP_HOST: '127.0.0.1',
    MAIL_IMAP_PORT: String(imapPort),
    MAIL_IMAP_SECURITY: 'none',
    MAIL_SMTP_HOST: '127.0.0.1',
    MAIL_SMTP_PORT: String(smtpPort),
    MAIL_SMTP_SECURITY: 'none',
    MAIL_USERNAME: MAILBOX.user,
    MAIL_PASSWORD: MAILBOX.password,
    MAIL_ADDRESS: MAILBOX.address,
    ...extra,
  };
}
