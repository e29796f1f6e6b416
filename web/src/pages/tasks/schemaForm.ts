/**
 * A task type's payload JSON Schema as form fields: strings, numbers, booleans and enums get
 * their own control; arrays, objects and anything else get a small JSON editor of their own.
 * A schema that is not an object with properties has no form (the page offers JSON only).
 */
export type FieldKind = "text" | "number" | "integer" | "boolean" | "enum" | "json";
export type RawValue = string | boolean;

export interface SchemaField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: string[];
  defaultValue?: unknown;
  /** Untyped ("any JSON") fields take text that is not JSON as a string. */
  lenient: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `anyOf: [X, {type: null}]` is X; other unions are JSON. */
function resolve(property: Json): Json | null {
  if (!Array.isArray(property.anyOf)) return property;
  const options = property.anyOf.filter((option): option is Json => isObject(option) && option.type !== "null");
  return options.length === 1 ? { ...options[0], ...property, anyOf: undefined, type: options[0]?.type } : null;
}

function kindOf(property: Json | null): FieldKind {
  if (property === null) return "json";
  if (Array.isArray(property.enum) && property.enum.every((value) => typeof value === "string")) return "enum";
  switch (property.type) {
    case "string":
      return "text";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    default:
      return "json";
  }
}

export function schemaFields(schema: unknown): SchemaField[] | null {
  if (!isObject(schema) || !isObject(schema.properties)) return null;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties).map(([name, raw]) => {
    const property = isObject(raw) ? raw : {};
    const resolved = resolve(property);
    const kind = kindOf(resolved);
    const field: SchemaField = {
      name,
      label: typeof property.title === "string" ? property.title : name,
      kind,
      required: required.has(name),
      lenient: kind === "json" && (resolved === null || resolved.type === undefined),
    };
    if (typeof property.description === "string") field.description = property.description;
    if (kind === "enum" && resolved && Array.isArray(resolved.enum)) field.options = resolved.enum.map(String);
    if ("default" in property) field.defaultValue = property.default;
    return field;
  });
}

/** The form's text (or checkbox state) for one payload value. */
export function toRaw(field: SchemaField, value: unknown): RawValue {
  if (field.kind === "boolean") return value === undefined ? field.defaultValue === true : value === true;
  // A required choice starts on its default (or first) option, as the select shows it.
  if (value === undefined && field.kind === "enum" && field.required)
    return String(field.defaultValue ?? field.options?.[0] ?? "");
  if (value === undefined || value === null) return "";
  if (field.kind === "json") return typeof value === "string" && field.lenient ? value : JSON.stringify(value, null, 2);
  return String(value);
}

export function rawValues(fields: readonly SchemaField[], payload: unknown): Record<string, RawValue> {
  const source = isObject(payload) ? payload : {};
  return Object.fromEntries(fields.map((field) => [field.name, toRaw(field, source[field.name])]));
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** One field's value for the payload (`undefined`: left out, so the server's default applies). */
export function fromRaw(field: SchemaField, raw: RawValue): Parsed {
  if (field.kind === "boolean") return { ok: true, value: raw === true };
  const text = String(raw).trim();
  if (text === "") return field.required ? { ok: false, error: "Required." } : { ok: true, value: undefined };
  if (field.kind === "number")
    return Number.isFinite(Number(text)) ? { ok: true, value: Number(text) } : { ok: false, error: "Enter a number." };
  if (field.kind === "integer")
    return /^-?\d+$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, error: "Enter a whole number." };
  if (field.kind === "json") {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return field.lenient ? { ok: true, value: String(raw) } : { ok: false, error: "Invalid JSON." };
    }
  }
  return { ok: true, value: String(raw) };
}

/** The payload the form describes, or each field's problem. */
export function buildPayload(
  fields: readonly SchemaField[],
  raw: Record<string, RawValue>,
): { ok: true; value: Json } | { ok: false; errors: Record<string, string> } {
  const payload: Json = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = fromRaw(field, raw[field.name] ?? "");
    if (!parsed.ok) errors[field.name] = parsed.error;
    else if (parsed.value !== undefined) payload[field.name] = parsed.value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: payload };
}
