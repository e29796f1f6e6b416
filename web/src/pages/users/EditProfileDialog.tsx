/** An admin edits another account's username, email and verified flag. */
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import type { UserProfile } from "../../api/types";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { ErrorNotice } from "../../components/Layout";
import { errorField, messageFor } from "../../lib/fieldErrors";
import { useAction } from "../../lib/useAction";
import { queryKeys } from "../../lib/queryKeys";

type Changes = { username?: string; email?: string; email_verified?: boolean };

/** Only what changed is sent: an unchanged email keeps its verified flag. */
export function profileChanges(
  user: Pick<UserProfile, "username" | "email" | "email_verified">,
  form: { username: string; email: string; email_verified: boolean },
): Changes {
  const changes: Changes = {};
  if (form.username.trim() !== user.username) changes.username = form.username.trim();
  if (form.email.trim() !== user.email) changes.email = form.email.trim();
  if (form.email_verified !== user.email_verified) changes.email_verified = form.email_verified;
  return changes;
}

export function EditProfileButton({ user }: { user: UserProfile }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ username: user.username, email: user.email, email_verified: user.email_verified });
  const save = useAction<Changes, UserProfile>({
    run: (body) => unwrap(api.PUT("/users/{id}/profile", { params: { path: { id: user.id } }, body })),
    success: (updated) => `Saved the profile of ${updated.username}.`,
    invalidate: [queryKeys.users.all],
    onDone: () => setOpen(false),
    toastErrors: false,
  });
  const begin = () => {
    setForm({ username: user.username, email: user.email, email_verified: user.email_verified });
    save.reset();
    setOpen(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes = profileChanges(user, form);
    if (Object.keys(changes).length === 0) setOpen(false);
    else save.mutate(changes);
  };
  const field = errorField(save.error);
  return (
    <>
      <Button
        variant="secondary"
        className="px-2 py-1 text-xs"
        aria-label={`Edit profile of ${user.username}`}
        onClick={begin}
      >
        Edit profile
      </Button>
      <Dialog
        open={open}
        title={`Edit profile of ${user.username}`}
        onClose={() => setOpen(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" form="edit-profile" busy={save.isPending}>
              Save profile
            </Button>
          </>
        }
      >
        <form id="edit-profile" noValidate className="flex flex-col gap-3" onSubmit={submit}>
          <TextField
            label="Username"
            value={form.username}
            required
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            error={messageFor(save.error, "username")}
          />
          <TextField
            label="Email"
            type="email"
            value={form.email}
            required
            onChange={(e) => setForm({ ...form, email: e.target.value })}
            error={messageFor(save.error, "email")}
          />
          <label className="inline-flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={form.email_verified}
              onChange={(e) => setForm({ ...form, email_verified: e.target.checked })}
              className="h-4 w-4"
            />
            Email verified
          </label>
          {save.error && field !== "username" && field !== "email" ? <ErrorNotice error={save.error} /> : null}
        </form>
      </Dialog>
    </>
  );
}
