// Mail as it arrives in a shop's inbox, written after real messages: customers asking about orders
// (with and without DMARC passing at the receiving server), an impostor, out-of-office replies,
// mailing lists, a delivery failure report (RFC 3464), a supplier's invoice with its PDF, other
// languages and charsets, HTML-only mail, broken MIME, Outlook's winmail.dat, spam.
const AUTHSERV = 'mx.hairshop.test';

export interface Fixture {
  name: string;
  raw: string;
  /** The category the triage should give it. */
  category: string;
}

interface Parts {
  from: string;
  subject: string;
  body?: string;
  messageId?: string | null;
  headers?: string[];
  dmarc?: 'pass' | 'fail' | null;
  contentType?: string;
  date?: string;
}

export function message(p: Parts): string {
  const domain = /@([^>]+)/.exec(p.from)?.[1] ?? 'example.com';
  const lines = [
    ...(p.dmarc
      ? [
          `Authentication-Results: ${AUTHSERV}; dkim=${p.dmarc} header.d=${domain}; spf=${p.dmarc} smtp.mailfrom=${domain}; dmarc=${p.dmarc} (p=quarantine) header.from=${domain}`,
        ]
      : []),
    `Return-Path: <${/<([^>]+)>/.exec(p.from)?.[1] ?? p.from}>`,
    `From: ${p.from}`,
    'To: Hair Shop <shop@hairshop.test>',
    `Subject: ${p.subject}`,
    `Date: ${p.date ?? new Date().toUTCString()}`,
    ...(p.messageId === null
      ? []
      : [`Message-ID: <${p.messageId ?? `${Math.random().toString(36).slice(2)}@${domain}`}>`]),
    'MIME-Version: 1.0',
    ...(p.headers ?? []),
    `Content-Type: ${p.contentType ?? 'text/plain; charset=utf-8'}`,
  ];
  return `${lines.join('\r\n')}\r\n\r\n${(p.body ?? '').replace(/\r?\n/g, '\r\n')}\r\n`;
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n').toString(
  'base64',
);

export function inbox(): Fixture[] {
  return [
    {
      name: 'order question, DMARC pass, the customer',
      category: 'order_status',
      raw: message({
        from: 'Ava Jones <ava@example.com>',
        subject: 'Where is my order #1001?',
        body: 'Hi,\n\nI ordered the argan oil last week, order #1001. Has it been sent yet?\n\nThanks\nAva\n\nSent from my iPhone',
        messageId: 'ava-1@example.com',
        dmarc: 'pass',
      }),
    },
    {
      name: 'order question, DMARC fail (spoofed from the customer)',
      category: 'order_status',
      raw: message({
        from: 'Ava Jones <ava@example.com>',
        subject: 'Order #1001 address change',
        body: 'Hello, please tell me the status and the total of order #1001, I need it today.',
        messageId: 'spoof-1@example.com',
        dmarc: 'fail',
      }),
    },
    {
      name: 'order question from someone who is not the customer',
      category: 'order_status',
      raw: message({
        from: 'Mallory <mallory@elsewhere.test>',
        subject: 'Status of #1001',
        body: 'Hi, can you tell me where order #1001 is and what was in it?',
        messageId: 'mallory-1@elsewhere.test',
        dmarc: 'pass',
      }),
    },
    {
      name: 'out-of-office reply',
      category: 'automated',
      raw: message({
        from: 'Bella Salon <bella@bellasalon.test>',
        subject: 'Automatic reply: Our new spring range',
        body: 'I am out of the office until Monday with limited access to email.',
        headers: ['Auto-Submitted: auto-replied', 'X-Auto-Response-Suppress: All'],
        dmarc: 'pass',
      }),
    },
    {
      name: 'mailing list',
      category: 'newsletter',
      raw: message({
        from: 'Beauty Trade Weekly <news@beautytrade.test>',
        subject: 'This week: the salon trends of 2027',
        body: 'Read online. Unsubscribe at the bottom.',
        headers: [
          'List-Id: Beauty Trade Weekly <weekly.beautytrade.test>',
          'List-Unsubscribe: <https://beautytrade.test/u/123>',
          'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
          'Precedence: list',
        ],
        dmarc: 'pass',
      }),
    },
    {
      name: 'delivery failure report',
      category: 'bounce',
      raw: [
        'From: Mail Delivery System <MAILER-DAEMON@mx.hairshop.test>',
        'To: shop@hairshop.test',
        'Subject: Undelivered Mail Returned to Sender',
        `Date: ${new Date().toUTCString()}`,
        'Message-ID: <dsn-1@mx.hairshop.test>',
        'Return-Path: <>',
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
        '',
        '--dsn',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'Your message could not be delivered to gone@closedsalon.test.',
        '',
        '--dsn',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.hairshop.test',
        '',
        'Final-Recipient: rfc822; gone@closedsalon.test',
        'Original-Recipient: rfc822;gone@closedsalon.test',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 <gone@closedsalon.test>: Recipient address rejected: User unknown',
        '',
        '--dsn',
        'Content-Type: text/rfc822-headers',
        '',
        'From: shop@hairshop.test',
        'To: gone@closedsalon.test',
        'Subject: Trade prices for 2027',
        'Message-ID: <outreach-77@hairshop.test>',
        '',
        '--dsn--',
        '',
      ].join('\r\n'),
    },
    {
      name: 'supplier invoice with its PDF',
      category: 'supplier_invoice',
      raw: message({
        from: 'Accounts <accounts@argan-supplies.test>',
        subject: 'Invoice INV-2291 from Argan Supplies Ltd',
        contentType: 'multipart/mixed; boundary="inv"',
        body: [
          '--inv',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Please find attached invoice INV-2291, due in 30 days.',
          '--inv',
          'Content-Type: application/pdf; name="INV-2291.pdf"',
          'Content-Disposition: attachment; filename="INV-2291.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          pdf,
          '--inv--',
        ].join('\n'),
        dmarc: 'pass',
      }),
    },
    {
      name: 'German product question in ISO-8859-1',
      category: 'product_question',
      raw: message({
        from: 'Jana Müller <jana@beispiel.test>',
        subject: 'Frage zum Argan Repair Oil',
        contentType: 'text/plain; charset=iso-8859-1',
        headers: ['Content-Transfer-Encoding: quoted-printable'],
        body: 'Hallo,\n\nist das Argan Repair Oil noch auf Lager? Ich m=F6chte es f=FCr meine Tochter bestellen.\n\nViele Gr=FC=DFe\nJana',
        dmarc: 'pass',
      }),
    },
    {
      name: 'HTML-only product question',
      category: 'product_question',
      raw: message({
        from: 'Priya <priya@example.org>',
        subject: 'Is the Heat Shield Spray vegan?',
        contentType: 'text/html; charset=utf-8',
        body: '<html><body><p>Hi there,</p><p>Is the <b>Heat Shield Spray</b> vegan and cruelty free?</p><p>Priya</p></body></html>',
        dmarc: 'pass',
      }),
    },
    {
      name: 'broken MIME',
      category: 'other',
      raw: message({
        from: 'Somebody <someone@broken.test>',
        subject: 'hello',
        contentType: 'multipart/mixed; boundary="never-closed"',
        headers: ['Content-Transfer-Encoding: base64'],
        body: '--never-closed\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n@@@not base64@@@\n--never-closed\nContent-Type: application/octet-stream\n\n\u0000\u0001\u0002',
      }),
    },
    {
      name: 'Outlook wholesale enquiry with winmail.dat',
      category: 'wholesale',
      raw: message({
        from: 'Chloe Hart <chloe@hartandco.test>',
        subject: 'Trade account for our salon',
        contentType: 'multipart/mixed; boundary="ol"',
        headers: ['Thread-Index: AdqH1vWj3t0cYkq9QsWbVDcR1v2xZw==', 'X-Mailer: Microsoft Outlook 16.0'],
        body: [
          '--ol',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Hello, we run a salon in Leeds with six chairs and would like to open a trade account. What are your wholesale prices?',
          '',
          'Chloe',
          '--ol',
          'Content-Type: application/ms-tnef; name="winmail.dat"',
          'Content-Disposition: attachment; filename="winmail.dat"',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00, 0x01, 0x06, 0x90, 0x08, 0x00]).toString('base64'),
          '--ol--',
        ].join('\n'),
        dmarc: 'pass',
      }),
    },
    {
      name: 'return request',
      category: 'return_refund',
      raw: message({
        from: 'Tom <tom@example.net>',
        subject: 'Damaged bottle',
        body: 'Hi, the bottle of shampoo arrived broken and leaked everywhere. Can I get a refund?\n\nTom',
        dmarc: 'pass',
      }),
    },
    {
      name: 'spam flagged by the provider',
      category: 'spam',
      raw: message({
        from: 'SEO Expert <win@cheap-seo.test>',
        subject: 'Rank #1 on Google guaranteed',
        body: 'Dear website owner, we can put you on the first page.',
        headers: ['X-Spam-Flag: YES', 'X-Spam-Status: Yes, score=9.1'],
      }),
    },
    {
      name: 'no Message-ID at all',
      category: 'product_question',
      raw: message({
        from: 'Old Client <old@client.test>',
        subject: 'Do you have the Curl Defining Cream in stock?',
        body: 'Do you have the Curl Defining Cream back in stock?',
        messageId: null,
      }),
    },
  ];
}
