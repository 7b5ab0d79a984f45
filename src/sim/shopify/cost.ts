// Calculated query cost and the leaky bucket, as Shopify documents them. Before running a query its
// requested cost is worked out from the document: scalars and enums cost 0, an object 1, a connection
// 2 plus `first` (or `last`) times the cost of one node, a mutation 10. Interfaces and unions cost the
// most expensive of their fragments. Plain lists (Order.transactions, Order.refunds) are not sized by
// Shopify's rules, so one element is counted. After running, the actual cost counts what came back.
// The bucket must hold the requested cost up front and is refunded the difference afterwards.
import {
  getArgumentValues,
  getNamedType,
  isLeafType,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { collect, fieldOf, isConnection, nodeSelections, nodeTypeOf, type Selected } from './selection.ts';

export const MUTATION_COST = 10;

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function sum(selected: Selected[], cost: (item: Selected) => number): number {
  let base = 0;
  const alternatives = new Map<string, number>();
  for (const item of selected) {
    const value = cost(item);
    if (item.alternative === null) base += value;
    else alternatives.set(item.alternative, (alternatives.get(item.alternative) ?? 0) + value);
  }
  return base + Math.max(0, ...alternatives.values());
}

function requested(input: CostInput, selectionSet: SelectionSetNode, parent: GraphQLCompositeType): number {
  const selected: Selected[] = [];
  collect(input, selectionSet, parent, selected, null);
  return sum(selected, ({ node, on }) => {
    const field = fieldOf(on, node.name.value);
    if (!field) return 0;
    const type = getNamedType(field.type);
    if (isLeafType(type)) return 0;
    if (isConnection(type)) {
      const args = getArgumentValues(field, node, input.variables);
      const size = Number(args.first ?? args.last ?? 0);
      const nodeType = nodeTypeOf(type);
      const perNode = Math.max(
        0,
        ...nodeSelections(input, node, type).map((s) => 1 + requested(input, s, nodeType)),
      );
      return 2 + size * perNode;
    }
    return 1 + (node.selectionSet ? requested(input, node.selectionSet, type as GraphQLCompositeType) : 0);
  });
}

export function requestedCost(input: CostInput): number {
  if (input.operation.operation === 'mutation') {
    const selected: Selected[] = [];
    collect(input, input.operation.selectionSet, input.schema.getMutationType()!, selected, null);
    return selected.filter(({ node }) => !node.name.value.startsWith('__')).length * MUTATION_COST;
  }
  return requested(input, input.operation.selectionSet, input.schema.getQueryType()!);
}

type Data = Record<string, unknown>;

const isData = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function actual(
  input: CostInput,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  data: Data,
): number {
  const selected: Selected[] = [];
  collect(input, selectionSet, parent, selected, null);
  let total = 0;
  for (const { node, on } of selected) {
    const value = data[node.alias?.value ?? node.name.value];
    const field = fieldOf(on, node.name.value);
    if (value === undefined || value === null || !field) continue;
    const type = getNamedType(field.type);
    if (isLeafType(type) || !node.selectionSet) continue;
    if (isConnection(type) && isData(value)) {
      const nodeType = nodeTypeOf(type);
      const items = Array.isArray(value.nodes)
        ? value.nodes
        : Array.isArray(value.edges)
          ? value.edges.map((edge) => (isData(edge) ? edge.node : null))
          : [];
      const selections = nodeSelections(input, node, type);
      let nodes = 0;
      for (const item of items)
        if (isData(item))
          nodes += 1 + Math.max(0, ...selections.map((s) => actual(input, s, nodeType, item)));
      total += 2 + nodes;
      continue;
    }
    const composite = type as GraphQLCompositeType;
    const elements = Array.isArray(value) ? value : [value];
    let most = 0;
    for (const element of elements)
      if (isData(element)) most = Math.max(most, 1 + actual(input, node.selectionSet, composite, element));
    total += most;
  }
  return total;
}

export function actualCost(input: CostInput, data: unknown): number {
  if (input.operation.operation === 'mutation') return requestedCost(input);
  return isData(data) ? actual(input, input.operation.selectionSet, input.schema.getQueryType()!, data) : 0;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/**
 * One bucket per shop. It leaks back at `restoreRate` points a second of real time (not the
 * simulator's clock, which a test may freeze), so a client that backs off really does get through.
 */
export class Bucket {
  private available: number;
  private checkedAt = performance.now();

  constructor(
    readonly maximumAvailable: number,
    readonly restoreRate: number,
  ) {
    this.available = maximumAvailable;
  }

  private refill(): void {
    const now = performance.now();
    this.available = Math.min(
      this.maximumAvailable,
      this.available + ((now - this.checkedAt) / 1000) * this.restoreRate,
    );
    this.checkedAt = now;
  }

  /** Takes the requested cost if the bucket holds it. */
  take(cost: number): boolean {
    this.refill();
    if (this.available < cost) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }
}
