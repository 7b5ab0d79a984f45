// Sorting what arrives: rules first (headers, the shop's own threads, words in the customer's
// language), the model only for what no rule can place. Every decision carries its reason.
import { automaticReason } from './automatic.ts';
import type { RuleHeaders } from './message.ts';

/** What the rules read of a message (a stored message is one). */
export interface TriageInput {
  subject: string;
  fresh: string;
  fromAddress: string;
  headers: RuleHeaders;
  attachments: readonly { filename: string; contentType: string }[];
}

export const CATEGORIES = [
  'order_status',
  'product_question',
  'return_refund',
  'wholesale',
  'outreach_reply',
  'supplier_invoice',
  'automated',
  'bounce',
  'newsletter',
  'spam',
  'own',
  'other',
] as const;

export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** Categories a person wrote and may get an answer to; the rest never do. */
export const ANSWERABLE: readonly Category[] = [
  'order_status',
  'product_question',
  'return_refund',
  'wholesale',
  'outreach_reply',
  'other',
];

export interface Triage {
  category: Category;
  reason: string;
  by: 'rules' | 'model';
  /** Order names written in the message ("#1001"), as the shop names them. */
  orderNames: string[];
}

export interface TriageContext {
  shopAddresses: readonly string[];
  /** The message answers a thread the shop started (outreach, a question the shop asked). */
  repliesToShopThread: boolean;
  /** Product titles in the catalog, lower case. */
  productTitles?: readonly string[];
}

const words = (...patterns: string[]) => new RegExp(`(?:^|[^\\p{L}])(?:${patterns.join('|')})`, 'iu');

const INVOICE = words(
  'invoice',
  'rechnung',
  'facture',
  'factura',
  'fattura',
  'factuur',
  'statement of account',
);
const RETURN = words(
  'return',
  'refund',
  'exchange',
  'damaged',
  'broken',
  'leak',
  'wrong item',
  'send it back',
  'money back',
  'rücksendung',
  'erstattung',
  'umtausch',
  'retour',
  'rembourse',
  'devoluci',
  'reembols',
  'rimborso',
  'reso',
);
const WHOLESALE = words(
  'wholesale',
  'trade account',
  'trade price',
  'salon',
  'stockist',
  'resell',
  'bulk order',
  'b2b',
  'großhandel',
  'grossiste',
  'mayorista',
  'friseursalon',
  'kapsalon',
);
const ORDER = words(
  'where is my order',
  'my order',
  'tracking',
  'track my',
  'delivery',
  'delivered',
  'dispatch',
  'shipped',
  'shipping',
  'parcel',
  'package',
  'arrive',
  'bestellung',
  'lieferung',
  'paket',
  'commande',
  'livraison',
  'colis',
  'pedido',
  'envío',
  'ordine',
  'spedizione',
  'bestelling',
  'zamówienie',
);
const PRODUCT = words(
  'in stock',
  'back in stock',
  'do you (?:have|sell|stock)',
  'ingredient',
  'suitable for',
  'how (?:do i|to) use',
  'vegan',
  'cruelty',
  'sulphate',
  'sulfate',
  'which (?:shampoo|conditioner|product)',
  'recommend',
  'auf lager',
  'inhaltsstoff',
  'en stock',
  'ingrédient',
  'disponible',
);
const OUT_OF_OFFICE = words(
  'out of (?:the )?office',
  'automatic reply',
  'auto-?reply',
  'abwesenheit',
  'absence',
  'fuera de la oficina',
  'autoreply',
  'vacation',
);
const BOUNCE_SUBJECT = words(
  'undeliver',
  'delivery status notification',
  'returned mail',
  'mail delivery failed',
  'delivery failure',
  'unzustellbar',
);

/** Order names in a text: "#1001", "order 1001", "Bestellung 1001". */
export function orderNamesIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/#\s?(\d{3,8})\b/g)) found.add(`#${m[1]}`);
  for (const m of text.matchAll(
    /\b(?:order|bestellung|commande|pedido|ordine|bestelling)\s*(?:no\.?|number|nr\.?|n°|#)?\s*(\d{3,8})\b/gi,
  ))
    found.add(`#${m[1]}`);
  return [...found];
}

/** What the rules decide, or undefined when none applies and the model (or "other") must. */
export function triageByRules(message: TriageInput, context: TriageContext): Triage | undefined {
  const text = `${message.subject}\n${message.fresh}`;
  const orderNames = orderNamesIn(text);
  const decided = (category: Category, reason: string): Triage => ({
    category,
    reason,
    by: 'rules',
    orderNames,
  });
  const from = message.fromAddress;
  if (context.shopAddresses.some((a) => a.toLowerCase() === from))
    return decided('own', 'it came from the shop’s own address');
  const contentType = message.headers.contentType ?? '';
  if (/multipart\/report/i.test(contentType) && /delivery-status/i.test(contentType))
    return decided('bounce', 'a delivery status report (RFC 3464)');
  if (
    /^(mailer-daemon|postmaster)@/.test(from) ||
    (BOUNCE_SUBJECT.test(message.subject) && /^<\s*>$/.test(message.headers.returnPath ?? ''))
  )
    return decided('bounce', `a delivery failure from ${from || 'the mail system'}`);
  if (/^yes/i.test(message.headers.xSpamFlag ?? ''))
    return decided('spam', 'the provider’s spam filter flagged it (X-Spam-Flag)');
  if (
    message.headers.listId ||
    message.headers.listUnsubscribe ||
    /^(bulk|list)$/i.test(message.headers.precedence ?? '')
  )
    return decided(
      'newsletter',
      message.headers.listId
        ? `a mailing list (${message.headers.listId.slice(0, 80)})`
        : 'bulk mail with an unsubscribe link',
    );
  const automatic = automaticReason(message.headers, from, context.shopAddresses);
  if (automatic || OUT_OF_OFFICE.test(message.subject))
    return decided('automated', automatic ?? 'an out-of-office reply');
  const pdf = message.attachments.some(
    (a) => a.contentType === 'application/pdf' || /\.pdf$/i.test(a.filename),
  );
  if (pdf && (INVOICE.test(text) || message.attachments.some((a) => INVOICE.test(a.filename))))
    return decided('supplier_invoice', 'an invoice with a PDF attached');
  if (context.repliesToShopThread)
    return decided('outreach_reply', 'it answers a message the shop sent first');
  const hit = (pattern: RegExp) => pattern.exec(text)?.[0].trim().toLowerCase();
  const returned = hit(RETURN);
  if (returned) return decided('return_refund', `it mentions “${returned}”`);
  const wholesale = hit(WHOLESALE);
  if (wholesale) return decided('wholesale', `it mentions “${wholesale}”`);
  if (orderNames.length) return decided('order_status', `it names order ${orderNames.join(', ')}`);
  const order = hit(ORDER);
  if (order) return decided('order_status', `it asks about “${order}”`);
  const lower = text.toLowerCase();
  const product = context.productTitles?.find((title) => title.length > 3 && lower.includes(title));
  if (product) return decided('product_question', `it names the product “${product}”`);
  const asked = hit(PRODUCT);
  if (asked) return decided('product_question', `it asks “${asked}”`);
  return undefined;
}
