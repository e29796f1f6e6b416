import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrapWithMessage } from "../../api/client";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { ErrorNotice } from "../../components/Layout";
import { useToast } from "../../components/Toast";
import { passwordAcceptable } from "../../lib/passwordRules";
import { AuthCard } from "./AuthCard";
import { PasswordRules } from "./PasswordRules";

export function tokenFromLocation(): string {
  return new URLSearchParams(window.location.search).get("token") ?? "";
}

export function ResetPasswordPage() {
  const navigate = useNavigate();
  const toast = useToast();
  const [token] = useState(tokenFromLocation);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

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

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) {
      setError(new Error("The passwords do not match."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { data } = await unwrapWithMessage(api.POST("/auth/reset-password", { body: { token, new_password: password } }));
      toast.show(`${data}. Sign in with your new password.`, "success");
      await navigate({ to: "/auth/login" });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Choose a new password">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="Choose a new password">
        {error ? <ErrorNotice error={error} /> : null}
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
        <Button type="submit" busy={busy} disabled={!passwordAcceptable(password) || password !== confirm}>
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
