// A POST to an address the owner gave (an outgoing webhook): the host is resolved once, every address
// it resolves to is checked, and the connection goes to the checked address, so a name that answers
// differently the second time (DNS rebinding) cannot reach a private address. Redirects are never
// followed: the target is the URL the owner saw, not wherever it sends us.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from './private-address.ts';

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

export interface GuardedPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The owner allowed a target on the box itself or the local network (n8n on the same Pi). */
  allowPrivate: boolean;
}

const refusal = (host: string, address: string) =>
  new TargetRefused(
    `${host} is a private address (${address}); allow a private target for this webhook if it runs on your own network`,
  );

/** Sends the request and resolves with the status; a 3xx is answered as it is, never followed. */
export function guardedPost({ url, headers, body, timeoutMs, allowPrivate }: GuardedPost): Promise<number> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isPrivateAddress(host)) return Promise.reject(refusal(host, host));
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refused = allowPrivate ? undefined : addresses.find((each) => isPrivateAddress(each.address));
      if (refused) return callback(refusal(hostname, refused.address), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    // A whole deadline, not only an idle one: a target that trickles its answer a byte at a time
    // would otherwise hold the delivery until the job expires.
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer from ${target.host} in ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
      },
      (response) => {
        clearTimeout(deadline);
        response.destroy(); // the status is all that counts; the answer's body is not ours to read
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.end(body);
  });
}

/** At creation: refuse a URL whose host is, or resolves to, a private address (a name that does not resolve yet is checked at delivery). */
export async function checkTarget(url: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw refusal(host, host);
    return;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)),
  );
  const refused = addresses.find((each) => isPrivateAddress(each.address));
  if (refused) throw refusal(host, refused.address);
}
