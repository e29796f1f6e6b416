import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { ErrorNotice } from "../../components/Layout";
import { passwordAcceptable } from "../../lib/passwordRules";
import { useAction } from "../../lib/useAction";
import { AuthCard } from "./AuthCard";
import { PasswordRules } from "./PasswordRules";

export function tokenFromLocation(): string {
  return new URLSearchParams(window.location.search).get("token") ?? "";
}

export function ResetPasswordPage() {
  const navigate = useNavigate();
  const [token] = useState(tokenFromLocation);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const reset = useAction({
    run: (newPassword: string) => unwrap(api.POST("/auth/reset-password", { body: { token, new_password: newPassword } })),
    success: (done) => `${done}. Sign in with your new password.`,
    onDone: () => void navigate({ to: "/auth/login" }),
    toastErrors: false,
  });

  if (!token) {
    return (
      <AuthCard title="Choose a new password">
        <ErrorNotice error={new Error("This link is incomplete. Open the link from the email again, or ask for a new one.")} />
        <Link to="/auth/forgot-password" className="text-sm font-medium text-brand-700 underline">
          Ask for a new link
        </Link>
      </AuthCard>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (password === confirm) reset.mutate(password);
  }

  return (
    <AuthCard title="Choose a new password">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="Choose a new password">
        {reset.error ? <ErrorNotice error={reset.error} /> : null}
        <TextField label="New password" name="new_password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <PasswordRules password={password} />
        <TextField
          label="Confirm new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={confirm && confirm !== password ? "Passwords do not match." : undefined}
        />
        <Button type="submit" busy={reset.isPending} disabled={!passwordAcceptable(password) || password !== confirm}>
          Set new password
        </Button>
        <p className="text-xs text-slate-500">Every session of your account is signed out when the password changes.</p>
      </form>
      <Link to="/auth/forgot-password" className="text-sm font-medium text-brand-700 underline">
        Ask for a new link
      </Link>
    </AuthCard>
  );
}
