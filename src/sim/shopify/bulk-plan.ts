// How a bulk export runs its query. graphql-js builds a whole result tree and checks every value's
// type on the way (slowly, outside production mode): fine for a page, minutes for 50,000 orders.
// A validated bulk query is simple enough to compile instead: each field becomes a step that calls
// the same resolver the API uses and writes the value straight into its JSONL line, so the export
// and a paged query can never disagree, and an order is written as soon as it is read.
import {
  getArgumentValues,
  getNamedType,
  GraphQLEnumType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  isListType,
  isNonNullType,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from './context.ts';
import {
  collect,
  fieldOf,
  isConnection,
  nodeSelections,
  nodeTypeOf,
  type Selected,
  type Walk,
} from './selection.ts';

type Data = Record<string, unknown>;

interface Step {
  key: string;
  resolve: GraphQLFieldResolver<unknown, Context>;
  args: Record<string, unknown>;
  /** A leaf's value written out (scalars and enums serialise themselves). */
  leaf: ((value: unknown) => unknown) | null;
  list: boolean;
  /** Children of an object field, by the object's concrete type. */
  children: Children | null;
  /** For a connection: the steps of one node, and whether this is the connection being exported. */
  connection: { node: Children; outer: boolean } | null;
}

/** The steps for an object, found per concrete type (an interface field can return several). */
type Children = (value: unknown) => Step[];

/** Resolvers only look at `info` to find their place in a paged query; a bulk step has none. */
const NO_INFO = {} as GraphQLResolveInfo;

/** graphql-js's default resolver reads the field name from `info`; a step knows its own. */
const property =
  (name: string): GraphQLFieldResolver<unknown, Context> =>
  (source) =>
    (source as Data | null)?.[name];

const isList = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

export interface BulkPlan {
  /** Runs one window: every outer node becomes a line, followed by its children's lines. */
  run(context: Context, inner: Context, lines: Data[]): void;
}

export function compileBulk(
  schema: GraphQLSchema,
  walk: Walk,
  selectionSet: SelectionSetNode,
  outer: string[],
): BulkPlan {
  const childrenOf = (
    selections: SelectionSetNode[],
    type: GraphQLCompositeType,
    path: string[],
  ): Children => {
    const byType = new Map<string, Step[]>();
    const forType = (concrete: GraphQLObjectType): Step[] => {
      let steps = byType.get(concrete.name);
      if (!steps) {
        steps = compile(selections, type, concrete, path);
        byType.set(concrete.name, steps);
      }
      return steps;
    };
    if (type instanceof GraphQLObjectType) {
      const steps = forType(type);
      return () => steps;
    }
    const abstract = type as GraphQLInterfaceType | GraphQLUnionType;
    return (value) => {
      const name = abstract.resolveType?.(value, {} as Context, NO_INFO, abstract);
      const concrete = typeof name === 'string' ? schema.getType(name) : null;
      return concrete instanceof GraphQLObjectType ? forType(concrete) : [];
    };
  };

  const applies = (on: GraphQLCompositeType, concrete: GraphQLObjectType): boolean =>
    on === concrete ||
    (on instanceof GraphQLInterfaceType && concrete.getInterfaces().includes(on)) ||
    (on instanceof GraphQLUnionType && on.getTypes().includes(concrete));

  const compile = (
    selections: SelectionSetNode[],
    parent: GraphQLCompositeType,
    concrete: GraphQLObjectType,
    path: string[],
  ): Step[] => {
    const selected: Selected[] = [];
    for (const selectionSet of selections) collect(walk, selectionSet, parent, selected, null);
    // A key selected twice (say `variant { id }` and `variant { sku }`) is one field with both selections.
    const byKey = new Map<string, FieldNode[]>();
    for (const { node, on } of selected) {
      if (!applies(on, concrete) && on !== parent) continue;
      const key = node.alias?.value ?? node.name.value;
      byKey.set(key, [...(byKey.get(key) ?? []), node]);
    }
    const steps = [...byKey].map(([key, nodes]) => step(nodes, concrete, key, [...path, key]));
    // The id first, so children can name their parent whatever order the query asked for.
    return [...steps.filter((s) => s.key === 'id'), ...steps.filter((s) => s.key !== 'id')];
  };

  const step = (nodes: FieldNode[], parent: GraphQLObjectType, key: string, path: string[]): Step => {
    const node = nodes[0]!;
    if (node.name.value === '__typename')
      return {
        key,
        resolve: () => parent.name,
        args: {},
        leaf: (v) => v,
        list: false,
        children: null,
        connection: null,
      };
    const field = fieldOf(parent, node.name.value)!;
    const named = getNamedType(field.type);
    const base = {
      key,
      resolve: (field.resolve ?? property(node.name.value)) as GraphQLFieldResolver<unknown, Context>,
      args: getArgumentValues(field, node, {}),
      list: isList(field.type),
      leaf: null,
      children: null,
      connection: null,
    };
    if (named instanceof GraphQLScalarType || named instanceof GraphQLEnumType)
      return { ...base, leaf: (value) => named.serialize(value) };
    if (isConnection(named)) {
      const selections = nodes.flatMap((n) => nodeSelections(walk, n, named));
      const nodeSteps = childrenOf(selections, nodeTypeOf(named), path);
      return { ...base, connection: { node: nodeSteps, outer: path.join('.') === outer.join('.') } };
    }
    const selections = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    return { ...base, children: childrenOf(selections, named as GraphQLCompositeType, path) };
  };

  const root = schema.getQueryType()!;
  const rootSteps = compile([selectionSet], root, root, []);

  /**
   * One object's line; connection children go to `lines` (written after this line by the caller).
   * Plain loops, no closures: this runs a few hundred times per order.
   */
  function write(
    steps: Step[],
    source: unknown,
    context: Context,
    inner: Context,
    enclosing: string | null,
    lines: Data[],
  ): Data {
    const out: Data = {};
    for (const s of steps) {
      // The nearest enclosing object with an id is what children name as their parent.
      const own = typeof out.id === 'string' ? out.id : enclosing;
      if (s.connection) {
        const page = s.resolve(source, s.args, s.connection.outer ? context : inner, NO_INFO) as {
          nodes: unknown[];
        } | null;
        for (const item of page?.nodes ?? []) {
          const grandchildren: Data[] = [];
          const line = write(s.connection.node(item), item, context, inner, own, grandchildren);
          if (!s.connection.outer) line.__parentId = own;
          lines.push(line);
          for (const grandchild of grandchildren) lines.push(grandchild);
        }
        continue;
      }
      const value = s.resolve(source, s.args, inner, NO_INFO);
      if (value === null || value === undefined) out[s.key] = null;
      else if (!s.list)
        out[s.key] = s.leaf ? s.leaf(value) : write(s.children!(value), value, context, inner, own, lines);
      else {
        const items = value as unknown[];
        const written: unknown[] = new Array(items.length);
        for (let i = 0; i < items.length; i += 1) {
          const item = items[i];
          written[i] = s.leaf ? s.leaf(item) : write(s.children!(item), item, context, inner, own, lines);
        }
        out[s.key] = written;
      }
    }
    return out;
  }

  return {
    run(context, inner, lines) {
      write(rootSteps, undefined, context, inner, null, lines);
    },
  };
}
