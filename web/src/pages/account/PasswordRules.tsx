import { passwordRules } from "../../lib/passwordRules";

/** The password rules under a new-password field, each ticked once the typed value meets it. */
export function PasswordRules({ password }: { password: string }) {
  return (
    <ul aria-label="Password rules" className="flex flex-col gap-1 text-sm">
      {passwordRules(password).map((rule) => (
        <li key={rule.label} data-met={rule.met} className={rule.met ? "text-emerald-700" : "text-slate-500"}>
          <span aria-hidden="true">{rule.met ? "✓" : "○"}</span> {rule.label}
          <span className="sr-only">{rule.met ? " (met)" : " (not yet)"}</span>
        </li>
      ))}
    </ul>
  );
}
