/**
 * Forms on react-hook-form + zod. A page declares its fields once, as a zod schema (with the
 * server's enum lists from api/validation.ts), and gets validation, typed values and inline errors:
 *
 *   const schema = z.object({ username: z.string().min(3, "At least 3 characters.") });
 *   const form = useZodForm(schema, { defaultValues: { username: "" } });
 *   const save = useAction({ run: (values: z.output<typeof schema>) => …, toastErrors: false });
 *   <form onSubmit={form.handleSubmit((values) => save.mutate(values))} noValidate>
 *     <FormError form={form} />
 *     <FormTextField form={form} name="username" label="Username" />
 *   </form>
 *   …and on failure: `showServerError(form, error)` puts the server's message under its field
 *   (or above the form when it names none).
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, type FieldValues, type Path, type UseFormProps, type UseFormReturn } from "react-hook-form";
import type { InputHTMLAttributes, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import type { z } from "zod";
import { ApiError } from "../api/errors";
import { errorField } from "../lib/fieldErrors";
import { SelectField, TextArea, TextField } from "./Field";
import { ErrorNotice } from "./Layout";

/** The key under which an error that names no field is kept (shown by <FormError>). */
export const FORM_ERROR = "root.server" as const;

type Schema = z.ZodType<FieldValues, FieldValues>;

// Every form's values are an object of fields; the helpers only read and register them.
// biome-ignore lint/suspicious/noExplicitAny: the form's output type does not matter to a field.
type AnyForm<V extends FieldValues> = UseFormReturn<V, any, any>;

/** `useForm` with the schema as its resolver; errors show after a field is left or on submit. */
export function useZodForm<S extends Schema>(
  schema: S,
  options: Omit<UseFormProps<z.input<S>, unknown, z.output<S>>, "resolver"> = {},
) {
  return useForm<z.input<S>, unknown, z.output<S>>({ mode: "onTouched", ...options, resolver: zodResolver(schema) });
}

/**
 * Show a failed submit's error: a validation error naming one of the form's fields goes under
 * that field; a code listed in `codes` goes under the field it maps to (e.g. a taken username);
 * anything else goes above the form. Returns the field it went to, or null.
 */
export function showServerError<V extends FieldValues>(
  form: AnyForm<V>,
  error: unknown,
  codes: Partial<Record<string, Path<V>>> = {},
): Path<V> | null {
  const message = error instanceof Error ? error.message : "Something went wrong.";
  const named = errorField(error);
  const byCode = error instanceof ApiError ? codes[error.code] : undefined;
  const known = Object.keys(form.getValues()) as Path<V>[];
  const field = byCode ?? (named && known.includes(named as Path<V>) ? (named as Path<V>) : null);
  if (field) {
    form.setError(field, { type: "server", message }, { shouldFocus: true });
    return field;
  }
  form.setError(FORM_ERROR, { type: "server", message });
  return null;
}

/** The error that names no field, shown above the form. */
export function FormError<V extends FieldValues>({ form }: { form: AnyForm<V> }) {
  const root = form.formState.errors.root?.server;
  return root?.message ? <ErrorNotice error={new Error(root.message)} /> : null;
}

function errorOf<V extends FieldValues>(form: AnyForm<V>, name: Path<V>): string | undefined {
  const error = name
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], form.formState.errors);
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : undefined;
}

interface Wired<V extends FieldValues> {
  form: AnyForm<V>;
  name: Path<V>;
  label: string;
  hint?: string;
}

type InputProps<V extends FieldValues> = Wired<V> & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "form">;

/** A TextField registered with the form: its value, its validation and its error. */
export function FormTextField<V extends FieldValues>({ form, name, ...rest }: InputProps<V>) {
  return <TextField {...rest} {...form.register(name)} error={errorOf(form, name)} />;
}

type TextAreaProps<V extends FieldValues> = Wired<V> &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "form">;

export function FormTextArea<V extends FieldValues>({ form, name, ...rest }: TextAreaProps<V>) {
  return <TextArea {...rest} {...form.register(name)} error={errorOf(form, name)} />;
}

type SelectProps<V extends FieldValues> = Wired<V> &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "form"> & {
    options: ReadonlyArray<{ value: string; label: string }>;
  };

export function FormSelectField<V extends FieldValues>({ form, name, ...rest }: SelectProps<V>) {
  return <SelectField {...rest} {...form.register(name)} error={errorOf(form, name)} />;
}
