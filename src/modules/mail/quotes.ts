// The part of a message its writer wrote this time: without the quoted earlier messages (">" lines,
// "On … wrote:", Outlook's "From: … Sent: …" block, "-----Original Message-----") and without the
// signature ("-- ", "Sent from my iPhone", a sign-off followed by a name and contact lines).
const QUOTE_HEADERS = [
  /^On .{5,200}wrote:\s*$/im,
  /^Am .{5,200}schrieb .{0,200}:\s*$/im,
  /^Le .{5,200}a écrit\s*:\s*$/im,
  /^El .{5,200}escribió:\s*$/im,
  /^-{2,}\s*Original Message\s*-{2,}/im,
  /^-{2,}\s*Ursprüngliche Nachricht\s*-{2,}/im,
  /^_{10,}\s*$/m,
  /^From:\s.+\n(?:.*\n){0,3}?(?:Sent|Date|Gesendet|Envoyé):\s/im,
];

const SIGNATURES = [/^-- ?$/m, /^Sent from my \w+/im, /^Get Outlook for /im, /^Von meinem .* gesendet/im];

export function freshText(body: string): string {
  let text = body.replace(/\r\n/g, '\n');
  let cut = text.length;
  for (const pattern of [...QUOTE_HEADERS, ...SIGNATURES]) {
    const match = pattern.exec(text);
    if (match && match.index < cut) cut = match.index;
  }
  text = text.slice(0, cut);
  // Lines quoted with ">" anywhere (bottom-posting quotes between answers).
  text = text
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
  return text.replace(/\n{3,}/g, '\n\n').trim();
}

/** HTML-only mail as text: block ends as line breaks, tags and scripts gone, entities read. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<blockquote[\s\S]*?<\/blockquote>/gi, (quote) => quote.replace(/^|\n/g, '\n> '))
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
