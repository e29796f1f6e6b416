import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useEffect } from "react";
import { z } from "zod";
import { api, unwrap, unwrapWithMessage } from "../api/client";
import { emailSchema } from "../api/validation";
import { resetCache, useSession } from "../auth/session";
import { Button } from "../components/Button";
import { FormError, FormTextField, showServerError, useZodForm } from "../components/Form";
import { Card, ErrorNotice, Loading, PageHeader } from "../components/Layout";
import { useToast } from "../components/Toast";
import { changePasswordSchema, usernameSchema } from "../lib/accountSchemas";
import { formatDateTime } from "../lib/format";
import { queryKeys } from "../lib/queryKeys";
import { useAction } from "../lib/useAction";
import { PUBLIC_PATHS } from "../routeManifest";
import { SessionsCard } from "./account/SessionsCard";
import { PasswordRules } from "./account/PasswordRules";
import { ApiKeysCard } from "./profile/ApiKeysCard";

const profileSchema = z.object({ username: usernameSchema, email: emailSchema });

function ProfileForm() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const profile = useQuery({ queryKey: queryKeys.profile, queryFn: () => unwrap(api.GET("/users/me/profile")) });
  const form = useZodForm(profileSchema, { defaultValues: { username: "", email: "" } });
  const { reset } = form;
  useEffect(() => {
    if (profile.data) reset({ username: profile.data.username, email: profile.data.email });
  }, [profile.data, reset]);

  if (profile.isPending) return <Loading />;
  if (profile.error) return <ErrorNotice error={profile.error} />;
  const p = profile.data;

  const submit = form.handleSubmit(async ({ username, email }) => {
    try {
      const body = { ...(username !== p.username ? { username } : {}), ...(email !== p.email ? { email } : {}) };
      const updated = await unwrap(api.PUT("/users/me/profile", { body }));
      queryClient.setQueryData(queryKeys.profile, updated);
      queryClient.setQueryData(queryKeys.me, {
        id: updated.id,
        username: updated.username,
        email: updated.email,
        role: updated.role,
      });
      toast.show("Profile saved.", "success");
    } catch (failure) {
      showServerError(form, failure);
    }
  });
  return (
    <Card title="Profile">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="Edit profile">
        <FormError form={form} />
        <FormTextField form={form} name="username" label="Username" autoComplete="username" />
        <FormTextField
          form={form}
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
          hint={p.email_verified ? "Verified" : "Not verified"}
        />
        <p className="text-xs text-slate-500">
          Role {p.role} · member since {formatDateTime(p.created_at)} · last login {formatDateTime(p.last_login_at)}
        </p>
        <Button type="submit" busy={form.formState.isSubmitting} className="self-start">
          Save profile
        </Button>
      </form>
    </Card>
  );
}

const EMPTY_PASSWORDS = { current_password: "", new_password: "", confirm: "" };

function PasswordForm() {
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useZodForm(changePasswordSchema, { defaultValues: EMPTY_PASSWORDS });
  const submit = form.handleSubmit(async ({ current_password, new_password }) => {
    try {
      const { message } = await unwrapWithMessage(
        api.PUT("/users/me/password", { body: { current_password, new_password } }),
      );
      form.reset(EMPTY_PASSWORDS);
      toast.show(message ?? "Password changed.", "success");
      await queryClient.invalidateQueries({ queryKey: queryKeys.sessionsAll });
    } catch (failure) {
      showServerError(form, failure);
    }
  });
  return (
    <Card title="Change password">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-label="Change password">
        <FormError form={form} />
        <FormTextField
          form={form}
          name="current_password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
        />
        <FormTextField
          form={form}
          name="new_password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
        />
        <PasswordRules password={form.watch("new_password")} />
        <FormTextField
          form={form}
          name="confirm"
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
        />
        <Button type="submit" busy={form.formState.isSubmitting} className="self-start">
          Change password
        </Button>
      </form>
    </Card>
  );
}

const deleteSchema = z.object({
  password: z.string().min(1, "Enter your password."),
  confirmation: z.string().refine((value) => value === "DELETE", "Type DELETE to confirm."),
});

function DangerZone() {
  const { logoutAll } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const form = useZodForm(deleteSchema, { defaultValues: { password: "", confirmation: "" } });
  const endAll = useAction({
    run: logoutAll,
    success: (message) => message ?? "Signed out everywhere.",
    onDone: () => void navigate({ to: PUBLIC_PATHS.login }),
  });

  const remove = form.handleSubmit(async (body) => {
    try {
      await unwrap(api.DELETE("/users/me", { body }));
      resetCache(queryClient, null);
      toast.show("Your account has been deactivated.", "success");
      await navigate({ to: PUBLIC_PATHS.login });
    } catch (failure) {
      showServerError(form, failure);
    }
  });
  return (
    <Card title="Sessions and account">
      <div className="mb-6 mt-2">
        <p className="mb-2 text-sm text-slate-600">Sign out of every browser and device, including this one.</p>
        <Button variant="secondary" onClick={() => endAll.mutate()} busy={endAll.isPending}>
          Sign out everywhere
        </Button>
      </div>
      <form
        onSubmit={remove}
        noValidate
        className="flex flex-col gap-4 border-t border-slate-200 pt-4"
        aria-label="Delete account"
      >
        <p className="text-sm text-slate-600">Deleting deactivates your account; data is kept for 30 days.</p>
        <FormError form={form} />
        <FormTextField
          form={form}
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
        />
        <FormTextField form={form} name="confirmation" label="Type DELETE to confirm" autoComplete="off" required />
        <Button
          type="submit"
          variant="danger"
          busy={form.formState.isSubmitting}
          disabled={form.watch("confirmation") !== "DELETE"}
          className="self-start"
        >
          Delete my account
        </Button>
      </form>
    </Card>
  );
}

export function ProfilePage() {
  return (
    <>
      <PageHeader title="My profile" />
      <div className="grid gap-4 lg:grid-cols-2">
        <ProfileForm />
        <PasswordForm />
        <div className="min-w-0 lg:col-span-2">
          <SessionsCard />
        </div>
        <div className="min-w-0 lg:col-span-2">
          <ApiKeysCard />
        </div>
        <div className="min-w-0 lg:col-span-2">
          <DangerZone />
        </div>
      </div>
    </>
  );
}
