import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { Button } from "../components/Button";
import { TextField } from "../components/Field";
import { ErrorNotice } from "../components/Layout";
import { useToast } from "../components/Toast";
import { usePageTitle } from "../lib/usePageTitle";

/** Client-side hints mirroring the server's rules; the server's message is authoritative. */
export function registrationProblems(values: { username: string; email: string; password: string; confirm: string }): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!/^[\p{L}\p{N}_-]{3,50}$/u.test(values.username)) problems.username = "3–50 letters, numbers, underscores or hyphens.";
  if (!/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(values.email)) problems.email = "Enter a valid email address.";
  if (values.password.length < 8) problems.password = "At least 8 characters.";
  if (values.password !== values.confirm) problems.confirm = "Passwords do not match.";
  return problems;
}

export function RegisterPage() {
  const navigate = useNavigate();
  usePageTitle("Create an account");
  const toast = useToast();
  const [values, setValues] = useState({ username: "", email: "", password: "", confirm: "" });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const set = (key: keyof typeof values) => (event: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = registrationProblems(values);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST("/auth/register", { body: { username: values.username, email: values.email, password: values.password } }));
      toast.show("Account created. You can sign in now.", "success");
      await navigate({ to: "/auth/login" });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} noValidate className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="register-title">
        <h1 id="register-title" className="text-xl font-semibold">
          Create an account
        </h1>
        {error ? <ErrorNotice error={error} /> : null}
        <TextField label="Username" name="username" autoComplete="username" required value={values.username} onChange={set("username")} error={problems.username} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required value={values.email} onChange={set("email")} error={problems.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={values.password}
          onChange={set("password")}
          error={problems.password}
          hint="8–128 characters, with 3 of: upper case, lower case, digits, symbols."
        />
        <TextField label="Confirm password" name="confirm" type="password" autoComplete="new-password" required value={values.confirm} onChange={set("confirm")} error={problems.confirm} />
        <Button type="submit" busy={busy}>
          Create account
        </Button>
        <p className="text-sm text-slate-600">
          Already registered?{" "}
          <Link to="/auth/login" className="font-medium text-brand-700 underline">
            Sign in
          </Link>
        </p>
      </form>
    </main>
  );
}
