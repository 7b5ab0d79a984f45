// Errors in the shape Shopify's GraphQL server (graphql-ruby) gives them: graphql-js finds the same
// problems, and its wording is rewritten into graphql-ruby's, with its `extensions.code`.
import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';

export interface ShopifyError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: Record<string, unknown>;
}

const locations = (error: GraphQLError) => error.locations?.map(({ line, column }) => ({ line, column }));

export function syntaxError(error: GraphQLError): ShopifyError {
  const found = /found (.+)\.$/.exec(error.message)?.[1] ?? 'end of file';
  const at = error.locations?.[0];
  return {
    message: `syntax error, unexpected ${found.replace(/"/g, '')}${at ? ` at [${at.line}, ${at.column}]` : ''}`,
    locations: locations(error),
    extensions: { code: 'PARSE_ERROR' },
  };
}

const REWORDINGS: [
  RegExp,
  (m: RegExpExecArray, operation: string) => { message: string; extensions: Record<string, unknown> },
][] = [
  [
    /^Cannot query field "(\w+)" on type "(\w+)"/,
    (m) => ({
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] },
    }),
  ],
  [
    /^Unknown argument "(\w+)" on field "\w+\.(\w+)"/,
    (m) => ({
      message: `Field '${m[2]}' doesn't accept argument '${m[1]}'`,
      extensions: { code: 'argumentNotAccepted', name: m[2], typeName: 'Field', argumentName: m[1] },
    }),
  ],
  [
    /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided/,
    (m) => ({
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: m[1], arguments: m[2] },
    }),
  ],
  [
    /^Unknown type "(\w+)"/,
    (m) => ({
      message: `No such type ${m[1]}, so it can't be a fragment condition`,
      extensions: { code: 'undefinedType', typeName: m[1] },
    }),
  ],
  [
    /^Variable "\$(\w+)" is never used/,
    (m, operation) => ({
      message: `Variable $${m[1]} is declared by ${operation} but not used`,
      extensions: { code: 'variableNotUsed', variableName: m[1] },
    }),
  ],
  [
    /^Variable "\$(\w+)" is not defined/,
    (m, operation) => ({
      message: `Variable $${m[1]} is used by ${operation} but not declared`,
      extensions: { code: 'variableNotDefined', variableName: m[1] },
    }),
  ],
  [
    /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields/,
    (m) => ({
      message: `Field must have selections (field '${m[1]}' returns ${m[2]} but has no selections. Did you mean '${m[1]} { ... }'?)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${m[1]}'`, typeName: m[2] },
    }),
  ],
  [
    /^Field "(\w+)" must not have a selection since type "([^"]+)" has no subfields/,
    (m) => ({
      message: `Selections can't be made on scalars (field '${m[1]}' returns ${m[2]} but has selections)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${m[1]}'`, typeName: m[2] },
    }),
  ],
];

export function validationError(error: GraphQLError, document: DocumentNode): ShopifyError {
  const operation = getOperationAST(document);
  const name = operation
    ? `${operation.operation}${operation.name ? ` ${operation.name.value}` : ''}`
    : 'anonymous query';
  for (const [pattern, reword] of REWORDINGS) {
    const match = pattern.exec(error.message);
    if (match) return { ...reword(match, name), locations: locations(error) };
  }
  return {
    message: error.message,
    locations: locations(error),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  };
}

export function variableError(error: GraphQLError): ShopifyError {
  const match = /^Variable "\$(\w+)" (?:of (?:required )?type "([^"]+)")?/.exec(error.message);
  const missing = /was not provided/.test(error.message);
  return {
    message: match
      ? `Variable $${match[1]} of type ${match[2] ?? 'unknown'} was provided invalid value`
      : error.message,
    locations: locations(error),
    extensions: {
      code: 'INVALID_VARIABLE',
      value: null,
      problems: [{ path: [], explanation: missing ? 'Expected value to not be null' : error.message }],
    },
  };
}

export function executionError(error: GraphQLError): ShopifyError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
  return {
    message:
      code === 'INTERNAL_SERVER_ERROR' && !error.extensions?.code
        ? `Internal error. Looks like something went wrong on our end. (${error.message})`
        : error.message,
    locations: locations(error),
    ...(error.path ? { path: error.path } : {}),
    extensions: { ...error.extensions, code },
  };
}
