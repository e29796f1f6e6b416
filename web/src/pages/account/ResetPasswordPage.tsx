import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { FormError, FormTextField, showServerError, useZodForm } from "../../components/Form";
import { ErrorNotice } from "../../components/Layout";
import { useToast } from "../../components/Toast";
import { resetPasswordSchema } from "../../lib/accountSchemas";
import { passwordAcceptable } from "../../lib/passwordRules";
import { PUBLIC_PATHS } from "../../routeManifest";
import { AuthCard } from "./AuthCard";
import { PasswordRules } from "./PasswordRules";

export function tokenFromLocation(): string {
  return new URLSearchParams(window.location.search).get("token") ?? "";
}

export function ResetPasswordPage() {
  const navigate = useNavigate();
  const toast = useToast();
  const [token] = useState(tokenFromLocation);
  const form = useZodForm(resetPasswordSchema, { defaultValues: { new_password: "", confirm: "" } });
  const [password, confirm] = form.watch(["new_password", "confirm"]);
  const submit = form.handleSubmit(async ({ new_password }) => {
    try {
      const done = await unwrap(api.POST("/auth/reset-password", { body: { token, new_password } }));
      toast.show(`${done}. Sign in with your new password.`, "success");
      await navigate({ to: PUBLIC_PATHS.login });
    } catch (failure) {
      showServerError(form, failure);
    }
  });

  if (!token) {
    return (
      <AuthCard title="Choose a new password">
        <ErrorNotice
          error={new Error("This link is incomplete. Open the link from the email again, or ask for a new one.")}
        />
        <Link to={PUBLIC_PATHS.forgotPassword} className="text-sm font-medium text-brand-700 underline">
          Ask for a new link
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="Choose a new password">
        <FormError form={form} />
        <FormTextField
          form={form}
          name="new_password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
        />
        <PasswordRules password={password} />
        <FormTextField
          form={form}
          name="confirm"
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
        />
        <Button
          type="submit"
          busy={form.formState.isSubmitting}
          disabled={!passwordAcceptable(password) || password !== confirm}
        >
          Set new password
        </Button>
        <p className="text-xs text-slate-500">Every session of your account is signed out when the password changes.</p>
      </form>
      <Link to={PUBLIC_PATHS.forgotPassword} className="text-sm font-medium text-brand-700 underline">
        Ask for a new link
      </Link>
    </AuthCard>
  );
}
