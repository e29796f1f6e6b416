import { useId, type ComponentPropsWithRef, type ReactNode } from "react";

interface FieldShellProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
}

/** A labelled form control with an optional hint and an error announced to screen readers. */
function FieldShell({ label, error, hint, children }: FieldShellProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({ id, describedBy })}
      {hint ? (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const CONTROL =
  "w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 aria-[invalid=true]:border-red-500";

type InputProps = ComponentPropsWithRef<"input"> & { label: string; error?: string | undefined; hint?: string };

export function TextField({ label, error, hint, className = "", ...rest }: InputProps) {
  return (
    <FieldShell label={label} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <input
          id={id}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          className={`${CONTROL} ${className}`}
          {...rest}
        />
      )}
    </FieldShell>
  );
}

type TextAreaProps = ComponentPropsWithRef<"textarea"> & { label: string; error?: string | undefined; hint?: string };

export function TextArea({ label, error, hint, className = "", ...rest }: TextAreaProps) {
  return (
    <FieldShell label={label} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <textarea
          id={id}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          className={`${CONTROL} font-mono ${className}`}
          {...rest}
        />
      )}
    </FieldShell>
  );
}

type SelectProps = ComponentPropsWithRef<"select"> & {
  label: string;
  error?: string | undefined;
  hint?: string;
  options: ReadonlyArray<{ value: string; label: string }>;
};

export function SelectField({ label, error, hint, options, className = "", ...rest }: SelectProps) {
  return (
    <FieldShell label={label} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <select
          id={id}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          className={`${CONTROL} ${className}`}
          {...rest}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}
