// Shared response schemas for the OpenAPI description.
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
} as const;

export const errorSchemas = { '4xx': errorSchema, '5xx': errorSchema } as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'staff', 'viewer'] },
    twoFactorEnabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;
