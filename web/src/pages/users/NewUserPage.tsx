import { useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { choices, ROLES, type UserProfile } from "../../api/types";
import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { Card, ErrorNotice, PageHeader } from "../../components/Layout";
import { useToast } from "../../components/Toast";
import { generatePassword } from "../../lib/password";
import { registrationProblems } from "../RegisterPage";

export function NewUserPage() {
  const navigate = useNavigate();
  const toast = useToast();
  const [values, setValues] = useState({ username: "", email: "", password: "", role: "user" as UserProfile["role"] });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = registrationProblems({ ...values, confirm: values.password });
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const user = await unwrap(api.POST("/users", { body: values }));
      toast.show(`Created ${user.username} (${user.role}).`, "success");
      await navigate({ to: "/admin/users/$userId", params: { userId: user.id } });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="Create user" description="Admins can create accounts with any role." />
      <Card>
        <form onSubmit={submit} noValidate className="flex max-w-md flex-col gap-4" aria-label="Create user">
          {error ? <ErrorNotice error={error} /> : null}
          <TextField
            label="Username"
            name="username"
            required
            value={values.username}
            onChange={set("username")}
            error={problems.username}
          />
          <TextField
            label="Email"
            name="email"
            type="email"
            required
            value={values.email}
            onChange={set("email")}
            error={problems.email}
          />
          <div className="flex items-end gap-2">
            <div className="flex-1">
              <TextField
                label="Password"
                name="password"
                type="text"
                autoComplete="off"
                required
                value={values.password}
                onChange={set("password")}
                error={problems.password}
              />
            </div>
            <Button variant="secondary" onClick={() => setValues((v) => ({ ...v, password: generatePassword() }))}>
              Generate
            </Button>
          </div>
          <SelectField label="Role" name="role" value={values.role} onChange={set("role")} options={choices(ROLES)} />
          <Button type="submit" busy={busy}>
            Create user
          </Button>
        </form>
      </Card>
    </>
  );
}
