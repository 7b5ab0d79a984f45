-- The mail module: each mailbox folder's sync position (UIDVALIDITY, last UID, highest modseq), every
-- message received and sent kept raw with what was read from it, the threads they form, the replies
-- drafted for them, the owner's past replies it learns from, the style card, the FAQ, and the
-- suppression list outreach and newsletters share.

create table mail_folders (
  mailbox text not null,                  -- 'shop' (the MAIL_* account)
  path text not null,                     -- INBOX, Sent, "Sent Items", …
  role text not null,                     -- inbox, sent
  uid_validity bigint,
  last_uid bigint not null default 0,
  highest_modseq text,                    -- CONDSTORE's 63-bit counter, as text
  synced_at timestamptz,
  primary key (mailbox, path)
);

create table mail_health (
  mailbox text primary key,
  connected boolean not null default false,
  capabilities text[] not null default '{}',
  last_sync_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  errors integer not null default 0,
  reconnects integer not null default 0
);

create table mail_threads (
  id bigserial primary key,
  subject text not null,
  counterpart text not null default '',   -- the customer's address
  started_at timestamptz not null,
  last_message_at timestamptz not null
);

create table mail_messages (
  id bigserial primary key,
  mailbox text not null,
  folder text not null,
  uid_validity bigint,
  uid bigint,                             -- null for a reply sent before the Sent folder was read back
  direction text not null,                -- in, out
  message_id text not null,               -- without angle brackets
  in_reply_to text,
  refs text[] not null default '{}',
  thread_id bigint references mail_threads(id),
  from_address text not null default '',
  from_name text not null default '',
  to_addresses text[] not null default '{}',
  subject text not null default '',
  sent_at timestamptz,                    -- the Date header
  received_at timestamptz not null default now(),
  stored_at timestamptz not null default now(),
  raw bytea not null,
  size integer not null,
  headers jsonb not null default '{}',    -- the headers the rules read
  body text not null default '',          -- the text, HTML turned to text
  fresh text not null default '',         -- the body without quotes and signature
  language text,
  parse_error text,
  attachments jsonb not null default '[]',-- [{filename, contentType, size, sha256}]
  dmarc text,                             -- pass, fail, none (the receiving server's verdict)
  category text,
  reason text,
  classified_by text,                     -- rules, model
  order_name text,
  customer_id bigint,
  needs_action boolean not null default false,
  unique (mailbox, folder, message_id)
);
create index mail_messages_message_id on mail_messages (message_id);
create index mail_messages_thread on mail_messages (thread_id);
create index mail_messages_received on mail_messages (received_at desc);
-- What answers a message (is it answered already?) and which Outlook conversation it is in.
create index mail_messages_in_reply_to on mail_messages (in_reply_to);
create index mail_messages_refs on mail_messages using gin (refs);
create index mail_messages_conversation on mail_messages ((headers->>'conversation'));

create table mail_replies (
  id bigserial primary key,
  message_id bigint not null unique references mail_messages(id),
  status text not null,                   -- draft (text '' while it is written), pending_approval, sent, blocked
  text text not null default '',
  reason text not null default '',        -- why it waits, was blocked or asks to verify
  verify boolean not null default false,  -- asks the sender to prove who they are
  automatic boolean not null default false,
  approval_id uuid,
  qa_review_id uuid,
  approved_at timestamptz,                -- by the gate and every check (automatic) or by the owner: to be sent
  outgoing_message_id text,               -- recorded before SMTP is called
  attempts integer not null default 0,
  sent_at timestamptz,
  filed_at timestamptz,                   -- when the sent reply was found or put in Sent
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index mail_replies_approval on mail_replies (approval_id);

-- At most one automatic reply per sender per day (RFC 3834 section 2).
create table mail_auto_replies (
  address text not null,
  day date not null,
  primary key (address, day)
);

create table mail_examples (
  id bigserial primary key,
  question text not null,
  answer text not null,
  language text,
  source text not null,                   -- import, edit
  source_key text not null unique,        -- the reply's Message-ID, or edit:<reply id>
  created_at timestamptz not null default now(),
  search tsvector generated always as (to_tsvector('simple', question)) stored
);
create index mail_examples_search on mail_examples using gin (search);

create table mail_style (
  id integer primary key default 1 check (id = 1),
  greeting text not null,
  sign_off text not null,
  typical_words integer not null,
  formality text not null,                -- casual, friendly, formal
  languages text[] not null,
  edited_by_owner boolean not null default false,
  updated_at timestamptz not null default now()
);

create table mail_faq (
  id bigserial primary key,
  question text not null,
  answer text not null,
  updated_at timestamptz not null default now()
);

create table mail_suppressions (
  address text primary key,               -- lower case
  reason text not null,                   -- hard_bounce, unsubscribed, complaint, owner
  detail text not null default '',
  created_at timestamptz not null default now()
);
