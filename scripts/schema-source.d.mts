// Types for schema-source.mjs, so TypeScript tests can import buildSchema().

/** The subset of draft-07 JSON Schema that buildSchema() emits. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  enum?: string[];
  pattern?: string;
  required?: string[];
  additionalProperties?: boolean;
  minItems?: number;
  minProperties?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
}

export function buildSchema(): JsonSchema;
