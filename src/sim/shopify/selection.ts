// Walking a query document the way Shopify's cost calculator and bulk exporter do: the fields a
// selection set selects (fragments flattened), and the node selections inside a connection.
import {
  getNamedType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
}

export interface Selected {
  node: FieldNode;
  /** The type the field was selected on: the parent, or a fragment's type condition. */
  on: GraphQLCompositeType;
  /** Fragments on other types are alternatives: only the most expensive one counts. */
  alternative: string | null;
}

/** The fields a selection set selects, fragments flattened, each with the type it was selected on. */
export function collect(
  input: Walk,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  into: Selected[],
  alternative: string | null,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      into.push({ node: selection, on: parent, alternative });
      continue;
    }
    const fragment =
      selection.kind === Kind.FRAGMENT_SPREAD ? input.fragments[selection.name.value] : selection;
    if (!fragment) continue;
    const condition = fragment.typeCondition?.name.value;
    const type = condition ? (input.schema.getType(condition) as GraphQLCompositeType | undefined) : parent;
    if (!type) continue;
    collect(input, fragment.selectionSet, type, into, type === parent ? alternative : type.name);
  }
}

export function fieldOf(
  type: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  return type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType
    ? type.getFields()[name]
    : undefined;
}

export const isConnection = (type: GraphQLNamedType): type is GraphQLObjectType =>
  type instanceof GraphQLObjectType && type.name.endsWith('Connection') && 'edges' in type.getFields();

/** The node selections inside a connection: `nodes { … }` and `edges { node { … } }`. */
export function nodeSelections(
  input: Walk,
  node: FieldNode,
  connection: GraphQLObjectType,
): SelectionSetNode[] {
  const found: SelectionSetNode[] = [];
  const inner: Selected[] = [];
  if (node.selectionSet) collect(input, node.selectionSet, connection, inner, null);
  for (const { node: field } of inner) {
    if (field.name.value === 'nodes' && field.selectionSet) found.push(field.selectionSet);
    if (field.name.value === 'edges' && field.selectionSet) {
      const edgeFields: Selected[] = [];
      const edgeType = getNamedType(connection.getFields().edges!.type) as GraphQLObjectType;
      collect(input, field.selectionSet, edgeType, edgeFields, null);
      for (const { node: edgeField } of edgeFields)
        if (edgeField.name.value === 'node' && edgeField.selectionSet) found.push(edgeField.selectionSet);
    }
  }
  return found;
}

export const nodeTypeOf = (connection: GraphQLObjectType): GraphQLCompositeType =>
  getNamedType(connection.getFields().nodes!.type) as GraphQLCompositeType;
