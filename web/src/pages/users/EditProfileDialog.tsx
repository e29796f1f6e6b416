/** An admin edits another account's username, email and verified flag. */
import { useState } from "react";
import { z } from "zod";
import { api, unwrap } from "../../api/client";
import type { UserProfile } from "../../api/types";
import { emailSchema } from "../../api/validation";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { FormError, FormTextField, showServerError, useZodForm } from "../../components/Form";
import { usernameSchema } from "../../lib/accountSchemas";
import { useAction } from "../../lib/useAction";
import { queryKeys } from "../../lib/queryKeys";

type Changes = { username?: string; email?: string; email_verified?: boolean };

const profileSchema = z.object({ username: usernameSchema, email: emailSchema, email_verified: z.boolean() });

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
  const current = () => ({ username: user.username, email: user.email, email_verified: user.email_verified });
  const form = useZodForm(profileSchema, { defaultValues: current() });
  const save = useAction<Changes, UserProfile>({
    run: (body) => unwrap(api.PUT("/users/{id}/profile", { params: { path: { id: user.id } }, body })),
    success: (updated) => `Saved the profile of ${updated.username}.`,
    invalidate: [queryKeys.users.all],
    onDone: () => setOpen(false),
    onError: (error) => showServerError(form, error),
    toastErrors: false,
  });
  const begin = () => {
    form.reset(current());
    save.reset();
    setOpen(true);
  };
  const submit = form.handleSubmit((values) => {
    const changes = profileChanges(user, values);
    if (Object.keys(changes).length === 0) setOpen(false);
    else save.mutate(changes);
  });
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
          <FormTextField form={form} name="username" label="Username" required />
          <FormTextField form={form} name="email" label="Email" type="email" required />
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" {...form.register("email_verified")} className="h-4 w-4" />
            Email verified
          </label>
          <FormError form={form} />
        </form>
      </Dialog>
    </>
  );
}
