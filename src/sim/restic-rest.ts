// A local restic REST server: the protocol restic speaks to `rest:http://…` repositories, written from
// restic's "REST backend" reference and rest-server's README and changelog. Repositories live on disk
// the way rest-server keeps them (config, keys/, locks/, snapshots/, index/, data/xx/), at the root or
// under a sub-path (`rest:http://host:port/myrepo/`). As rest-server does by default, an uploaded
// object's name must be the sha256 of its content (400 otherwise) and an existing file is never
// overwritten (403); append-only mode refuses every DELETE but a lock's. HTTP Basic auth when a user
// is given. Tests pull the network (`setOnline(false)`) or fill the disk (`setFull(true)`, 507).
import { createHash, timingSafeEqual, randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { finished, pipeline } from 'node:stream/promises';

export interface ResticRestOptions {
  /** The folder the repositories are stored in (created if missing). */
  dir: string;
  /** rest-server's --append-only: nothing is deleted or replaced, except lock files. */
  appendOnly?: boolean;
  /** With both, every request needs HTTP Basic auth with them (401 without). */
  user?: string;
  password?: string;
}

/** The object types that have names; `config` is a single file per repository. */
const OBJECT_TYPES = new Set(['data', 'keys', 'locks', 'snapshots', 'index']);
/** restic names every object by the sha256 of its (encrypted) content, in lower-case hex. */
const NAME = /^[0-9a-f]{64}$/;
/** A repository sub-path segment: no dot files, no `..`, nothing that needs escaping. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const V1 = 'application/vnd.x.restic.rest.v1';
const V2 = 'application/vnd.x.restic.rest.v2';

type Route =
  | { kind: 'create'; repo: string[] }
  | { kind: 'repository'; repo: string[] }
  | { kind: 'config'; repo: string[] }
  | { kind: 'list'; repo: string[]; type: string }
  | { kind: 'object'; repo: string[]; type: string; name: string };

/** An answer other than success; the message goes in a text/plain body. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ResticRestServer {
  private server: Server | undefined;
  private baseUrl = '';
  private online = true;
  private full = false;
  private readonly sockets = new Set<Socket>();
  private readonly root: string;

  constructor(private readonly options: ResticRestOptions) {
    this.root = path.resolve(options.dir);
  }

  /** Listens on 127.0.0.1 on a free port; resolves to the base URL (`http://127.0.0.1:PORT`). */
  async start(): Promise<string> {
    if (this.server) return this.baseUrl;
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const server = createServer((request, response) => void this.serve(request, response));
    server.on('connection', (socket: Socket) => {
      if (!this.online) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The base URL while started (`http://127.0.0.1:PORT`). */
  get url(): string {
    return this.baseUrl;
  }

  /**
   * Offline, every connection is closed as soon as it is accepted and the open ones are cut (a pulled
   * network cable, as the client sees it: resets, never an HTTP answer); an upload cut halfway leaves
   * nothing behind. Online again, the same port answers as before.
   */
  setOnline(online: boolean): void {
    this.online = online;
    if (!online) for (const socket of this.sockets) socket.destroy();
  }

  /** Whether it answers (false after `setOnline(false)`). */
  get isOnline(): boolean {
    return this.online;
  }

  /** A full disk: every write (object, config, new repository) is answered 507 Insufficient Storage. */
  setFull(full: boolean): void {
    this.full = full;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.online) {
      request.socket.destroy();
      return;
    }
    try {
      if (!this.authorized(request.headers.authorization)) {
        throw new Refusal(401, 'authentication required');
      }
      const url = new URL(request.url ?? '/', 'http://restic.invalid');
      await this.route(request, response, parseRoute(request.method ?? 'GET', url));
    } catch (error) {
      await this.fail(request, response, error);
    }
  }

  private async fail(request: IncomingMessage, response: ServerResponse, error: unknown): Promise<void> {
    const refusal =
      error instanceof Refusal
        ? error
        : (fsRefusal(error) ?? new Refusal(500, `simulator error: ${(error as Error).message}`));
    if (response.headersSent || response.destroyed || request.socket.destroyed) {
      response.destroy();
      return;
    }
    // The answer comes after the whole body is read: a client still sending a pack would otherwise
    // see a reset instead of the status.
    await drain(request);
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (refusal.status === 401) headers['www-authenticate'] = 'Basic realm="restic"';
    response.writeHead(refusal.status, headers);
    response.end(request.method === 'HEAD' ? undefined : `${refusal.message}\n`);
  }

  private authorized(header: string | undefined): boolean {
    const { user, password } = this.options;
    if (user === undefined && password === undefined) return true;
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    // Hashing both sides first makes the comparison constant-time whatever the lengths.
    const given = createHash('sha256').update(Buffer.from(match[1]!, 'base64')).digest();
    const expected = createHash('sha256')
      .update(`${user ?? ''}:${password ?? ''}`)
      .digest();
    return timingSafeEqual(given, expected);
  }

  private async route(request: IncomingMessage, response: ServerResponse, route: Route): Promise<void> {
    const method = request.method ?? 'GET';
    const repoDir = path.join(this.root, ...route.repo);
    switch (route.kind) {
      case 'create':
        return this.createRepository(request, response, repoDir);
      case 'repository':
        // DELETE {path}: the whole repository. Refused when append-only, not offered otherwise.
        if (this.options.appendOnly)
          throw new Refusal(403, 'append-only mode: the repository cannot be deleted');
        throw new Refusal(501, 'deleting a repository is not implemented');
      case 'config': {
        const file = path.join(repoDir, 'config');
        if (method === 'HEAD' || method === 'GET') return this.send(request, response, file);
        if (method === 'POST') return this.save(request, response, repoDir, file, undefined);
        if (method === 'DELETE') return this.remove(request, response, 'config', file);
        throw new Refusal(405, 'method not allowed');
      }
      case 'list':
        if (method !== 'GET') throw new Refusal(405, 'method not allowed');
        return this.list(request, response, repoDir, route.type);
      case 'object': {
        const file =
          route.type === 'data'
            ? path.join(repoDir, 'data', route.name.slice(0, 2), route.name)
            : path.join(repoDir, route.type, route.name);
        if (method === 'HEAD' || method === 'GET') return this.send(request, response, file);
        if (method === 'POST') return this.save(request, response, repoDir, file, route.name);
        if (method === 'DELETE') return this.remove(request, response, route.type, file);
        throw new Refusal(405, 'method not allowed');
      }
    }
  }

  private async createRepository(
    request: IncomingMessage,
    response: ServerResponse,
    repoDir: string,
  ): Promise<void> {
    await drain(request);
    if (!(await isDirectory(path.join(repoDir, 'data')))) {
      if (this.full) throw new Refusal(507, 'insufficient storage');
      for (const type of OBJECT_TYPES)
        await mkdir(path.join(repoDir, type), { recursive: true, mode: 0o700 });
      for (let i = 0; i < 256; i += 1) {
        await mkdir(path.join(repoDir, 'data', i.toString(16).padStart(2, '0')), { mode: 0o700 }).catch(
          (error: NodeJS.ErrnoException) => {
            if (error.code !== 'EEXIST') throw error;
          },
        );
      }
    }
    response.writeHead(200).end();
  }

  private async list(
    request: IncomingMessage,
    response: ServerResponse,
    repoDir: string,
    type: string,
  ): Promise<void> {
    if (!(await isDirectory(repoDir))) throw new Refusal(404, 'no such repository');
    const typeDir = path.join(repoDir, type);
    const files: string[] = [];
    if (type === 'data') {
      for (const sub of await entries(typeDir)) {
        if (!/^[0-9a-f]{2}$/.test(sub)) continue;
        for (const name of await entries(path.join(typeDir, sub))) {
          if (NAME.test(name) && name.startsWith(sub)) files.push(path.join(typeDir, sub, name));
        }
      }
    } else {
      for (const name of await entries(typeDir)) if (NAME.test(name)) files.push(path.join(typeDir, name));
    }
    // Version 2 (asked for with the Accept header) gives sizes; the Content-Type says which was sent.
    const v2 = (request.headers.accept ?? '').split(',').some((part) => part.trim().startsWith(V2));
    let body: unknown;
    if (v2) {
      const sized: { name: string; size: number }[] = [];
      for (const file of files) {
        try {
          sized.push({ name: path.basename(file), size: (await stat(file)).size });
        } catch (error) {
          // Deleted while listing: not there any more.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      body = sized;
    } else {
      body = files.map((file) => path.basename(file));
    }
    const text = JSON.stringify(body);
    response.writeHead(200, {
      'content-type': v2 ? V2 : V1,
      'content-length': String(Buffer.byteLength(text)),
    });
    response.end(text);
  }

  /** HEAD and GET of one file, with a single `Range: bytes=…` answered 206 (restic reads parts of packs). */
  private async send(request: IncomingMessage, response: ServerResponse, file: string): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? ''))
        throw new Refusal(404, 'not found');
      throw error;
    }
    let streaming = false;
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Refusal(404, 'not found');
      const size = info.size;
      const range = request.method === 'GET' ? parseRange(request.headers.range, size) : undefined;
      if (range === 'unsatisfiable') {
        await drain(request);
        response.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0' });
        response.end();
        return;
      }
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'accept-ranges': 'bytes',
        'content-length': String(range ? range.end - range.start + 1 : size),
      };
      if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      response.writeHead(range ? 206 : 200, headers);
      if (request.method === 'HEAD' || size === 0) {
        response.end();
        return;
      }
      streaming = true;
      const stream = handle.createReadStream({ start: range?.start ?? 0, end: range?.end ?? size - 1 });
      await pipeline(stream, response).catch(() => {
        // The client went away (or the network was pulled) mid-file: nothing to answer.
        response.destroy();
      });
    } finally {
      // The read stream closes the handle itself once it was made.
      if (!streaming) await handle.close();
    }
  }

  /**
   * Stores the request body in `file`: streamed to a temporary file next to it while hashing, synced,
   * then linked into place, which (unlike a rename) never replaces a file that appeared meanwhile.
   */
  private async save(
    request: IncomingMessage,
    response: ServerResponse,
    repoDir: string,
    file: string,
    expectedHash: string | undefined,
  ): Promise<void> {
    if (this.full) throw new Refusal(507, 'insufficient storage');
    if (!(await isDirectory(repoDir))) throw new Refusal(404, 'no such repository');
    if (await exists(file)) {
      throw new Refusal(403, this.options.appendOnly ? 'append-only mode: file exists' : 'file exists');
    }
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.upload-${randomBytes(8).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      try {
        for await (const chunk of request as AsyncIterable<Buffer>) {
          hash.update(chunk);
          let written = 0;
          while (written < chunk.length) {
            written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
          }
          // The network was pulled while this upload was arriving: keep none of it.
          if (!this.online) throw new Refusal(503, 'offline');
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (expectedHash !== undefined && hash.digest('hex') !== expectedHash) {
        throw new Refusal(400, 'the content does not match its name (sha256)');
      }
      try {
        await link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Refusal(403, 'file exists');
        throw error;
      }
      await syncDirectory(dir);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    response.writeHead(200).end();
  }

  private async remove(
    request: IncomingMessage,
    response: ServerResponse,
    type: string,
    file: string,
  ): Promise<void> {
    await drain(request);
    if (this.options.appendOnly && type !== 'locks') {
      throw new Refusal(403, `append-only mode: ${type} cannot be deleted`);
    }
    try {
      await unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Refusal(404, 'not found');
      throw error;
    }
    await syncDirectory(path.dirname(file));
    response.writeHead(200).end();
  }
}

/**
 * `{path}?create=true`, `{path}` (DELETE), `{path}config`, `{path}{type}/` and `{path}{type}/{name}`,
 * where `{path}` is `/` or one or more safe segments ending in a slash.
 */
function parseRoute(method: string, url: URL): Route {
  const parts = url.pathname.split('/').slice(1);
  const trailingSlash = parts.at(-1) === '';
  if (trailingSlash) parts.pop();
  for (const part of parts) {
    if (!SEGMENT.test(part)) throw new Refusal(400, 'invalid path');
  }
  if (method === 'POST' && url.searchParams.get('create') === 'true') return { kind: 'create', repo: parts };
  const last = parts.at(-1);
  if (last === 'config' && !trailingSlash) return { kind: 'config', repo: parts.slice(0, -1) };
  if (last !== undefined && OBJECT_TYPES.has(last) && trailingSlash) {
    return { kind: 'list', repo: parts.slice(0, -1), type: last };
  }
  const type = parts.at(-2);
  if (last !== undefined && type !== undefined && OBJECT_TYPES.has(type) && !trailingSlash) {
    if (!NAME.test(last)) throw new Refusal(400, 'invalid name: 64 lower-case hex digits expected');
    return { kind: 'object', repo: parts.slice(0, -2), type, name: last };
  }
  if (method === 'DELETE') return { kind: 'repository', repo: parts };
  throw new Refusal(404, 'not found');
}

/** A single byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`); undefined (whole file) otherwise. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec((header ?? '').trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

function fsRefusal(error: unknown): Refusal | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return new Refusal(404, 'not found');
    case 'ENOSPC':
    case 'EDQUOT':
      return new Refusal(507, 'insufficient storage');
    default:
      return undefined;
  }
}

async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded) return;
  request.resume();
  await finished(request).catch(() => undefined);
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Makes a new or removed directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
