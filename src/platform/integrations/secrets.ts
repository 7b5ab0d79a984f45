// Secret scrubbing for everything an integration says about itself: error messages, log lines, the
// result of a connection test. The credential values it uses are removed wherever they appear (as
// typed, URL-encoded, or inside a Basic header), and so is whatever looks like a credential in a URL
// or in a service's error text, because services quote keys back ("Incorrect API key provided:
// sk-…abcd") and some APIs carry the token in the path (Telegram's /bot<token>/).
const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for: "1" or "ab" would blank out half a message. */
const SHORTEST_SECRET = 4;

const URL_TOKEN_PATH = /\/bot\d+:[A-Za-z0-9_-]+/g;
const URL_USERINFO = /(\/\/)[^/@\s:]+:[^/@\s]+@/g;
const SECRET_QUERY =
  /([?&](?:key|api_key|apikey|api-key|access_token|token|password|secret|signature|sig|client_secret)=)[^&#\s"']*/gi;

export class Scrubber {
  private readonly secrets: string[];
  private readonly values: string[];

  constructor(secrets: readonly (string | undefined)[] = []) {
    this.secrets = secrets.filter((secret): secret is string => !!secret);
    const variants = new Set<string>();
    for (const secret of this.secrets) {
      if (!secret || secret.length < SHORTEST_SECRET) continue;
      variants.add(secret);
      variants.add(encodeURIComponent(secret));
      variants.add(Buffer.from(secret).toString('base64'));
    }
    // Longest first, so a secret that contains another is removed whole.
    this.values = [...variants]
      .filter((value) => value.length >= SHORTEST_SECRET)
      .sort((a, b) => b.length - a.length);
  }

  /** A scrubber that also removes these values. */
  with(secrets: readonly (string | undefined)[]): Scrubber {
    return new Scrubber([...this.secrets, ...secrets]);
  }

  scrub(text: string): string {
    let clean = text;
    for (const value of this.values) clean = clean.split(value).join(REDACTED);
    return withoutKeys(
      clean
        .replace(URL_TOKEN_PATH, `/bot${REDACTED}`)
        .replace(URL_USERINFO, `$1${REDACTED}@`)
        .replace(SECRET_QUERY, `$1${REDACTED}`),
    );
  }
}

/** Anything that looks like an API key (sk-…, AIza…, long token-like runs) becomes "[key]". */
export function withoutKeys(text: string): string {
  return text
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9*_-]{4,}/g, '[key]')
    .replace(/\bAIza[0-9A-Za-z_-]{10,}/g, '[key]')
    .replace(/\b[A-Za-z0-9_-]{32,}\b/g, '[key]');
}
