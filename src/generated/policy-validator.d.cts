// Types for the ajv standalone validator that scripts/build.mjs generates beside this file.
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
declare function validate(data: unknown): boolean;
declare namespace validate {
  let errors: AjvError[] | null | undefined;
}
export = validate;
