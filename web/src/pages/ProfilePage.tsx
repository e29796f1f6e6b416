import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useEffect, useState, type FormEvent } from "react";
import { api, unwrap, unwrapWithMessage } from "../api/client";
import { ME_KEY, resetCache, useSession } from "../auth/session";
import { Button } from "../components/Button";
import { TextField } from "../components/Field";
import { Card, ErrorNotice, Loading, PageHeader } from "../components/Layout";
import { useToast } from "../components/Toast";
import { formatDateTime } from "../lib/format";
import { SessionsCard } from "./account/SessionsCard";
import { PasswordRules } from "./account/PasswordRules";
import { ApiKeysCard } from "./profile/ApiKeysCard";

function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const bind = (key: keyof T) => ({ value: values[key], onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })) });
  async function attempt(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return { values, setValues, error, setError, busy, bind, attempt };
}

function ProfileForm() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const profile = useQuery({ queryKey: ["profile"], queryFn: () => unwrap(api.GET("/users/me/profile")) });
  const form = useForm({ username: "", email: "" });
  const { setValues } = form;
  useEffect(() => {
    if (profile.data) setValues({ username: profile.data.username, email: profile.data.email });
  }, [profile.data, setValues]);

  if (profile.isPending) return <Loading />;
  if (profile.error) return <ErrorNotice error={profile.error} />;
  const p = profile.data;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void form.attempt(async () => {
      const body = { ...(form.values.username !== p.username ? { username: form.values.username } : {}), ...(form.values.email !== p.email ? { email: form.values.email } : {}) };
      const updated = await unwrap(api.PUT("/users/me/profile", { body }));
      queryClient.setQueryData(["profile"], updated);
      queryClient.setQueryData(ME_KEY, { id: updated.id, username: updated.username, email: updated.email, role: updated.role });
      toast.show("Profile saved.", "success");
    });
  };
  return (
    <Card title="Profile">
      <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Edit profile">
        {form.error ? <ErrorNotice error={form.error} /> : null}
        <TextField label="Username" name="username" autoComplete="username" {...form.bind("username")} />
        <TextField label="Email" name="email" type="email" autoComplete="email" {...form.bind("email")} hint={p.email_verified ? "Verified" : "Not verified"} />
        <p className="text-xs text-slate-500">
          Role {p.role} · member since {formatDateTime(p.created_at)} · last login {formatDateTime(p.last_login_at)}
        </p>
        <Button type="submit" busy={form.busy} className="self-start">
          Save profile
        </Button>
      </form>
    </Card>
  );
}

function PasswordForm() {
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useForm({ current_password: "", new_password: "", confirm: "" });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (form.values.new_password !== form.values.confirm) {
      form.setError(new Error("The new passwords do not match."));
      return;
    }
    void form.attempt(async () => {
      const { message } = await unwrapWithMessage(api.PUT("/users/me/password", { body: { current_password: form.values.current_password, new_password: form.values.new_password } }));
      form.setValues({ current_password: "", new_password: "", confirm: "" });
      toast.show(message ?? "Password changed.", "success");
      await queryClient.invalidateQueries({ queryKey: ["sessions"] });
    });
  };
  return (
    <Card title="Change password">
      <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Change password">
        {form.error ? <ErrorNotice error={form.error} /> : null}
        <TextField label="Current password" type="password" autoComplete="current-password" required {...form.bind("current_password")} />
        <TextField label="New password" type="password" autoComplete="new-password" required {...form.bind("new_password")} />
        <PasswordRules password={form.values.new_password} />
        <TextField label="Confirm new password" type="password" autoComplete="new-password" required {...form.bind("confirm")} />
        <Button type="submit" busy={form.busy} className="self-start">
          Change password
        </Button>
      </form>
    </Card>
  );
}

function DangerZone() {
  const { logoutAll } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const form = useForm({ password: "", confirmation: "" });

  const endAll = () =>
    void form.attempt(async () => {
      const message = await logoutAll();
      toast.show(message ?? "Signed out everywhere.", "success");
      await navigate({ to: "/auth/login" });
    });
  const remove = (event: FormEvent) => {
    event.preventDefault();
    void form.attempt(async () => {
      await unwrap(api.DELETE("/users/me", { body: { password: form.values.password, confirmation: form.values.confirmation } }));
      resetCache(queryClient, null);
      toast.show("Your account has been deactivated.", "success");
      await navigate({ to: "/auth/login" });
    });
  };
  return (
    <Card title="Sessions and account">
      {form.error ? <ErrorNotice error={form.error} /> : null}
      <div className="mb-6 mt-2">
        <p className="mb-2 text-sm text-slate-600">Sign out of every browser and device, including this one.</p>
        <Button variant="secondary" onClick={endAll} busy={form.busy}>
          Sign out everywhere
        </Button>
      </div>
      <form onSubmit={remove} className="flex flex-col gap-4 border-t border-slate-200 pt-4" aria-label="Delete account">
        <p className="text-sm text-slate-600">Deleting deactivates your account; data is kept for 30 days.</p>
        <TextField label="Password" type="password" autoComplete="current-password" required {...form.bind("password")} />
        <TextField label="Type DELETE to confirm" autoComplete="off" required {...form.bind("confirmation")} />
        <Button type="submit" variant="danger" busy={form.busy} disabled={form.values.confirmation !== "DELETE"} className="self-start">
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
