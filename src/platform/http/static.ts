// The dashboard's static files, read once at start: our stylesheet and script, and htmx from npm.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.ts';
import { sourcePath } from '../paths.ts';

const require = createRequire(import.meta.url);
const asset = (name: string) => sourcePath('platform/dashboard/assets', name);

const FILES: Record<string, { path: string; type: string }> = {
  'htmx.min.js': {
    path: require.resolve('htmx.org/dist/htmx.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'app.css': { path: asset('app.css'), type: 'text/css; charset=utf-8' },
  'app.js': { path: asset('app.js'), type: 'text/javascript; charset=utf-8' },
  'icon.svg': { path: asset('icon.svg'), type: 'image/svg+xml' },
};

export function registerStatic(app: FastifyInstance): void {
  const cache = new Map(
    Object.entries(FILES).map(([name, file]) => [name, { body: readFileSync(file.path), type: file.type }]),
  );
  app.get<{ Params: { file: string } }>(
    '/static/:file',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const file = cache.get(request.params.file);
      if (!file) throw notFound(`no static file ${request.params.file}`);
      return reply.header('cache-control', 'public, max-age=3600').type(file.type).send(file.body);
    },
  );
}
