import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { ErrorNotice } from "../../components/Layout";
import { useAction } from "../../lib/useAction";
import { AuthCard } from "./AuthCard";

export function ForgotPasswordPage() {
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const request = useAction({
    run: (address: string) => unwrap(api.POST("/auth/forgot-password", { body: { email: address } })),
    onDone: (_answer, address) => void navigate({ to: "/auth/check-inbox", search: { email: address } }),
    toastErrors: false,
  });
  const error = request.error;
  const busy = request.isPending;

  function submit(event: FormEvent) {
    event.preventDefault();
    request.mutate(email.trim());
  }

  return (
    <AuthCard title="Forgot your password?">
      <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Request a reset link">
        <p className="text-sm text-slate-600">Enter the email address of your account and we will send you a link to choose a new password.</p>
        {error ? <ErrorNotice error={error} /> : null}
        <TextField label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Button type="submit" busy={busy}>
          Send reset link
        </Button>
      </form>
      <p className="text-sm text-slate-600">
        <Link to="/auth/login" className="font-medium text-brand-700 underline">
          Back to sign in
        </Link>
      </p>
    </AuthCard>
  );
}

export function CheckInboxPage() {
  const search = useSearch({ from: "/auth/check-inbox" });
  return (
    <AuthCard title="Check your inbox">
      <p className="text-sm text-slate-700">
        If an account uses {search.email ? <strong>{search.email}</strong> : "that address"}, we have sent it a link to reset the password. The link works once, for a limited time.
      </p>
      <p className="text-sm text-slate-600">No email after a few minutes? Check the spam folder, or ask for a new link: only the newest one works.</p>
      <p className="flex gap-4 text-sm">
        <Link to="/auth/forgot-password" className="font-medium text-brand-700 underline">
          Send another link
        </Link>
        <Link to="/auth/login" className="font-medium text-brand-700 underline">
          Back to sign in
        </Link>
      </p>
    </AuthCard>
  );
}
