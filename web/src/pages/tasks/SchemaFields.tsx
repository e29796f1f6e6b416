/** The controls for a payload schema's fields (see schemaForm.ts). */
import { SelectField, TextArea, TextField } from "../../components/Field";
import type { RawValue, SchemaField } from "./schemaForm";

function hint(field: SchemaField): string | undefined {
  const parts = [
    field.description,
    field.defaultValue !== undefined && field.defaultValue !== null && field.kind !== "boolean"
      ? `Default: ${JSON.stringify(field.defaultValue)}`
      : undefined,
  ];
  if (field.kind === "json") parts.push(field.lenient ? "Any JSON; plain text is sent as a string." : "JSON.");
  const text = parts.filter(Boolean).join(" ");
  return text || undefined;
}

function Control({
  field,
  value,
  error,
  onChange,
}: {
  field: SchemaField;
  value: RawValue;
  error: string | undefined;
  onChange: (value: RawValue) => void;
}) {
  const label = field.required ? `${field.label} *` : field.label;
  const common = { label, error, hint: hint(field), name: `payload.${field.name}` };
  if (field.kind === "boolean") {
    return (
      <label className="inline-flex items-center gap-2 text-sm font-medium text-slate-700 sm:col-span-2">
        <input
          type="checkbox"
          name={common.name}
          checked={value === true}
          onChange={(event) => onChange(event.target.checked)}
          className="h-4 w-4"
        />
        {field.label}
        {field.description ? <span className="font-normal text-slate-500">— {field.description}</span> : null}
      </label>
    );
  }
  if (field.kind === "enum") {
    const options = [
      ...(field.required
        ? []
        : [
            {
              value: "",
              label: field.defaultValue === undefined ? "(not set)" : `(default: ${String(field.defaultValue)})`,
            },
          ]),
      ...(field.options ?? []).map((option) => ({ value: option, label: option })),
    ];
    return (
      <SelectField
        {...common}
        value={String(value)}
        onChange={(event) => onChange(event.target.value)}
        options={options}
      />
    );
  }
  if (field.kind === "json") {
    return (
      <div className="sm:col-span-2">
        <TextArea
          {...common}
          rows={3}
          spellCheck={false}
          value={String(value)}
          onChange={(event) => onChange(event.target.value)}
        />
      </div>
    );
  }
  const numeric = field.kind === "number" || field.kind === "integer";
  return (
    <TextField
      {...common}
      inputMode={numeric ? "decimal" : undefined}
      value={String(value)}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

export function SchemaFields({
  fields,
  values,
  errors,
  onChange,
}: {
  fields: readonly SchemaField[];
  values: Record<string, RawValue>;
  errors: Record<string, string>;
  onChange: (name: string, value: RawValue) => void;
}) {
  return (
    <fieldset className="grid gap-3 sm:grid-cols-2" aria-label="Payload fields" data-testid="payload-fields">
      <legend className="mb-1 text-sm font-semibold text-slate-700">Payload</legend>
      {fields.map((field) => (
        <Control
          key={field.name}
          field={field}
          value={values[field.name] ?? ""}
          error={errors[field.name]}
          onChange={(value) => onChange(field.name, value)}
        />
      ))}
    </fieldset>
  );
}
