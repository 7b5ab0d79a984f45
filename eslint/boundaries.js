// The module boundaries, as ESLint rules (docs/architecture.md, "Rules the code keeps"):
// - a module imports another module only through its index.ts (its faces and types), never its files;
// - the platform imports no module (the runtime reads the registry, src/modules/index.ts);
// - route and page files hold no SQL: no pg, no drizzle, no database helpers.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ROUTE_FILE = /(^|\/)(routes|pages)\.ts$|-(routes|pages)\.ts$|\/(api|pages)\/[^/]+\.ts$/;
const DATABASE = /^src\/platform\/db\/(orm|database)\.ts$/;

function relative(file) {
  return path.relative(root, file).split(path.sep).join('/');
}

const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'modules talk through faces; routes and pages hold no SQL' },
    schema: [],
    messages: {
      deep: '{{own}} imports {{target}}: another module is reached only through its index.ts (its faces and types)',
      platform: 'the platform imports no module ({{target}}); modules declare themselves to the registry',
      sql: 'route and page files hold no SQL ({{target}}): ask the module’s service',
    },
  },
  create(context) {
    const file = relative(context.filename);
    if (!file.startsWith('src/')) return {};
    const own = /^src\/modules\/([^/]+)\//.exec(file)?.[1];
    const inPlatform = file.startsWith('src/platform/');
    const routeFile = (own || inPlatform) && ROUTE_FILE.test(file);
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      if (!specifier.startsWith('.')) {
        if (routeFile && (specifier === 'pg' || specifier.startsWith('drizzle-orm')))
          context.report({ node, messageId: 'sql', data: { target: specifier } });
        return;
      }
      const target = relative(path.resolve(path.dirname(context.filename), specifier));
      const other = /^src\/modules\/([^/]+)\/(.+)$/.exec(target);
      if (own && other && other[1] !== own && other[2] !== 'index.ts')
        context.report({ node, messageId: 'deep', data: { own: `module ${own}`, target } });
      if (inPlatform && other) context.report({ node, messageId: 'platform', data: { target } });
      if (routeFile && DATABASE.test(target)) context.report({ node, messageId: 'sql', data: { target } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
    };
  },
};

export default {
  rules: { 'module-boundaries': moduleBoundaries },
};
