import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { z } from "zod";
import { api, unwrap } from "../../api/client";
import { emailSchema } from "../../api/validation";
import { Button } from "../../components/Button";
import { FormError, FormTextField, showServerError, useZodForm } from "../../components/Form";
import { PUBLIC_PATHS } from "../../routeManifest";
import { AuthCard } from "./AuthCard";

const schema = z.object({ email: emailSchema });

export function ForgotPasswordPage() {
  const navigate = useNavigate();
  const form = useZodForm(schema, { defaultValues: { email: "" } });
  const submit = form.handleSubmit(async ({ email }) => {
    try {
      await unwrap(api.POST("/auth/forgot-password", { body: { email } }));
      await navigate({ to: PUBLIC_PATHS.checkInbox, search: { email } });
    } catch (failure) {
      showServerError(form, failure);
    }
  });

  return (
    <AuthCard title="Forgot your password?">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="Request a reset link">
        <p className="text-sm text-slate-600">
          Enter the email address of your account and we will send you a link to choose a new password.
        </p>
        <FormError form={form} />
        <FormTextField form={form} name="email" label="Email" type="email" autoComplete="email" required />
        <Button type="submit" busy={form.formState.isSubmitting}>
          Send reset link
        </Button>
      </form>
      <p className="text-sm text-slate-600">
        <Link to={PUBLIC_PATHS.login} className="font-medium text-brand-700 underline">
          Back to sign in
        </Link>
      </p>
    </AuthCard>
  );
}

export function CheckInboxPage() {
  const search = useSearch({ from: PUBLIC_PATHS.checkInbox });
  return (
    <AuthCard title="Check your inbox">
      <p className="text-sm text-slate-700">
        If an account uses {search.email ? <strong>{search.email}</strong> : "that address"}, we have sent it a link to
        reset the password. The link works once, for a limited time.
      </p>
      <p className="text-sm text-slate-600">
        No email after a few minutes? Check the spam folder, or ask for a new link: only the newest one works.
      </p>
      <p className="flex gap-4 text-sm">
        <Link to={PUBLIC_PATHS.forgotPassword} className="font-medium text-brand-700 underline">
          Send another link
        </Link>
        <Link to={PUBLIC_PATHS.login} className="font-medium text-brand-700 underline">
          Back to sign in
        </Link>
      </p>
    </AuthCard>
  );
}
