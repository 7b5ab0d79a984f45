// Bulk operations: `bulkOperationRunQuery` checks the query the way Shopify does (at least one
// connection, at most five, nested at most two deep, one running at a time), then runs it in the
// background, window by window over the outermost connection, and writes JSONL as Shopify does: one
// line per object, every connection's children on their own lines after their parent with
// `__parentId` naming the nearest enclosing object that has an id, list fields kept inline. The file
// grows a window at a time, so 50,000 orders never sit in memory as one result. Files are served
// (like Shopify's signed storage URLs, no token needed) from a small file server of their own.
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isLeafType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { compileBulk } from './bulk-plan.ts';
import type { BulkOperationRecord, BulkRunner, BulkUserError, BulkWindow, Context } from './context.ts';
import { syntaxError, validationError } from './errors.ts';
import { gid } from './model.ts';
import {
  collect,
  fieldOf,
  isConnection,
  nodeSelections,
  nodeTypeOf,
  type Selected,
  type Walk,
} from './selection.ts';
import type { Store } from './store.ts';

/** Outer objects read per window: small enough to keep memory flat, large enough to be quick. */
const WINDOW = 250;
const QUEUED_MS = 50;

export class BulkFiles {
  private readonly tidy = (): void => rmSync(this.dir, { recursive: true, force: true });

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    private readonly root: string,
    private readonly token: string,
  ) {
    // A test that dies without stopping the simulator still leaves no exports behind.
    process.once('exit', this.tidy);
  }

  static async start(): Promise<BulkFiles> {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopify-sim-bulk-'));
    const token = randomBytes(12).toString('hex');
    const server = createServer((request, response) => {
      const match = /^\/([0-9a-f]+)\/bulk-(\d+)\.jsonl$/.exec(
        new URL(request.url ?? '/', 'http://files').pathname,
      );
      const file = match && match[1] === token ? path.join(dir, `bulk-${match[2]}.jsonl`) : null;
      let size = -1;
      try {
        if (file) size = statSync(file).size;
      } catch {
        size = -1;
      }
      if (!file || size < 0 || request.method !== 'GET') {
        response.writeHead(404, { 'content-type': 'application/xml' });
        response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': String(size) });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new BulkFiles(server, dir, `http://127.0.0.1:${port}`, token);
  }

  pathOf(id: number): string {
    return path.join(this.dir, `bulk-${id}.jsonl`);
  }

  urlOf(id: number): string {
    return `${this.root}/${this.token}/bulk-${id}.jsonl`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    process.off('exit', this.tidy);
    this.tidy();
  }
}

interface Plan {
  selectionSet: SelectionSetNode;
  walk: Walk;
  /** Response keys from the root to the outermost connection. */
  outer: string[];
}

const invalid = (message: string): BulkUserError => ({ code: 'INVALID', field: ['query'], message });

/** Checks a bulk query; returns its plan or what Shopify would say about it. */
function plan(schema: GraphQLSchema, query: string): Plan | BulkUserError {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return invalid(`Invalid bulk query: ${syntaxError(error as GraphQLError).message}`);
  }
  const problems = validate(schema, document);
  if (problems.length > 0)
    return invalid(`Invalid bulk query: ${validationError(problems[0]!, document).message}`);
  const operation = getOperationAST(document);
  if (!operation || operation.operation !== 'query')
    return invalid('Bulk queries must be a single query operation.');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const walk: Walk = { schema, fragments };
  const connections: { path: string[]; depth: number }[] = [];
  const visit = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    keys: string[],
    depth: number,
  ): void => {
    const selected: Selected[] = [];
    collect(walk, selectionSet, parent, selected, null);
    for (const { node, on } of selected) {
      const field = fieldOf(on, node.name.value);
      if (!field || !node.selectionSet) continue;
      const type = getNamedType(field.type);
      if (isLeafType(type)) continue;
      const at = [...keys, node.alias?.value ?? node.name.value];
      if (isConnection(type)) {
        connections.push({ path: at, depth: depth + 1 });
        for (const inner of nodeSelections(walk, node, type)) visit(inner, nodeTypeOf(type), at, depth + 1);
      } else visit(node.selectionSet, type as GraphQLCompositeType, at, depth);
    }
  };
  visit(operation.selectionSet, schema.getQueryType()!, [], 0);
  if (connections.length === 0) return invalid('Bulk queries must contain at least one connection.');
  if (connections.length > 5) return invalid('Bulk queries cannot contain more than 5 connections.');
  if (connections.some((c) => c.depth > 2))
    return invalid('Bulk queries cannot contain connections with a nesting depth greater than 2.');
  const outer = connections.filter((c) => c.depth === 1);
  if (outer.length !== 1) return invalid('Bulk queries must contain exactly one top-level connection.');
  return { selectionSet: operation.selectionSet, walk, outer: outer[0]!.path };
}

type Data = Record<string, unknown>;

export class BulkOperations implements BulkRunner {
  private readonly operations = new Map<number, BulkOperationRecord>();
  private latest: BulkOperationRecord | undefined;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly store: Store,
    private readonly files: BulkFiles,
    private readonly context: () => Context,
    private readonly finished: (operation: BulkOperationRecord) => void,
  ) {}

  run(query: string): { operation: BulkOperationRecord | null; userErrors: BulkUserError[] } {
    const busy =
      this.latest && ['CREATED', 'RUNNING', 'CANCELING'].includes(this.latest.status) ? this.latest : null;
    if (busy)
      return {
        operation: null,
        userErrors: [
          {
            code: 'OPERATION_IN_PROGRESS',
            field: null,
            message: `A bulk query operation for this app and shop is already in progress: ${gid('BulkOperation', busy.id)}.`,
          },
        ],
      };
    const checked = plan(this.schema, query);
    if ('message' in checked) return { operation: null, userErrors: [checked] };
    const now = this.context().now();
    const operation: BulkOperationRecord = {
      id: this.store.id('BulkOperation'),
      query,
      status: 'CREATED',
      errorCode: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
      partialDataUrl: null,
      createdAt: Math.floor(now / 1000) * 1000,
      completedAt: null,
    };
    this.operations.set(operation.id, operation);
    this.latest = operation;
    const done = this.export(operation, checked).finally(() => this.running.delete(done));
    this.running.add(done);
    return { operation, userErrors: [] };
  }

  cancel(id: number): {
    operation: BulkOperationRecord | null;
    userErrors: { field: string[] | null; message: string }[];
  } {
    const operation = this.operations.get(id);
    if (!operation)
      return { operation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
    if (operation.status !== 'CREATED' && operation.status !== 'RUNNING')
      return {
        operation,
        userErrors: [
          {
            field: null,
            message: `A bulk operation cannot be canceled when it is ${operation.status.toLowerCase()}`,
          },
        ],
      };
    operation.status = 'CANCELING';
    return { operation, userErrors: [] };
  }

  find(id: number): BulkOperationRecord | undefined {
    return this.operations.get(id);
  }

  current(): BulkOperationRecord | undefined {
    return this.latest;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  private async export(operation: BulkOperationRecord, { selectionSet, walk, outer }: Plan): Promise<void> {
    // Shopify queues an operation before running it; a client polls a CREATED one at least once.
    await new Promise((resolve) => setTimeout(resolve, QUEUED_MS));
    const file = this.files.pathOf(operation.id);
    const stream = createWriteStream(file);
    // A full disk fails the operation (as Shopify reports an internal error), never the process.
    let broken: Error | null = null;
    stream.on('error', (error) => (broken = error));
    // Read through a function: a cancel can arrive between windows.
    const cancelling = () => this.stopped || operation.status === 'CANCELING';
    const finish = (status: BulkOperationRecord['status']) => {
      operation.status = status;
      operation.completedAt = Math.floor(this.context().now() / 1000) * 1000;
    };
    try {
      operation.status = 'RUNNING';
      const exporter = compileBulk(this.schema, walk, selectionSet, outer);
      const window: BulkWindow = { outer: true, offset: 0, limit: WINDOW, total: 0, items: null };
      const everything: BulkWindow = { outer: false, offset: 0, limit: 0, total: 0, items: null };
      for (;;) {
        if (cancelling()) {
          await close(stream);
          finish('CANCELED');
          return;
        }
        const base = this.context();
        const lines: Data[] = [];
        exporter.run({ ...base, bulk: window }, { ...base, bulk: everything }, lines);
        if (lines.length > 0) {
          // Parents before their children, as Shopify writes them.
          await write(stream, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
          operation.objectCount += lines.length;
          operation.rootObjectCount += lines.filter((line) => !('__parentId' in line)).length;
        }
        if (broken) throw broken;
        window.offset += WINDOW;
        if (window.offset >= window.total) break;
        // Let the simulator answer status polls while a big export runs.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await close(stream);
      operation.fileSize = statSync(file).size;
      operation.url = operation.objectCount > 0 ? this.files.urlOf(operation.id) : null;
      finish('COMPLETED');
    } catch {
      await close(stream);
      operation.errorCode = 'INTERNAL_SERVER_ERROR';
      operation.partialDataUrl = operation.objectCount > 0 ? this.files.urlOf(operation.id) : null;
      finish('FAILED');
    }
    this.finished(operation);
  }
}

/** Writes a window, waiting for the disk when the stream asks (or for its end, should it break). */
function write(stream: WriteStream, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

const close = (stream: WriteStream): Promise<void> =>
  new Promise((resolve) => (stream.destroyed || stream.closed ? resolve() : stream.end(() => resolve())));
