import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useSession } from "../auth/session";
import { Button } from "../components/Button";
import { TextField } from "../components/Field";
import { ErrorNotice } from "../components/Layout";
import { usePageTitle } from "../lib/usePageTitle";

/** Only same-site paths are followed after login (no open redirects). */
export function safeRedirect(target: string | undefined): string {
  if (!target || !target.startsWith("/") || target.startsWith("//") || target.startsWith("/auth/")) return "/admin";
  return target;
}

export function LoginPage() {
  const { login } = useSession();
  usePageTitle("Sign in");
  const navigate = useNavigate();
  const search = useSearch({ from: "/auth/login" });
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(identifier.trim(), password);
      await navigate({ to: safeRedirect(search.redirect) });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="login-title">
        <h1 id="login-title" className="text-xl font-semibold">
          Sign in
        </h1>
        {error ? <ErrorNotice error={error} /> : null}
        <TextField label="Username or email" name="identifier" autoComplete="username" required value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Link to="/auth/forgot-password" className="-mt-2 self-end text-sm font-medium text-brand-700 underline">
          Forgot password?
        </Link>
        <Button type="submit" busy={busy}>
          Sign in
        </Button>
        <p className="text-sm text-slate-600">
          No account?{" "}
          <Link to="/auth/register" className="font-medium text-brand-700 underline">
            Create one
          </Link>
        </p>
      </form>
    </main>
  );
}
