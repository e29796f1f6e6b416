/** Moderator and admin actions on one account, shared by the list and the detail page. */
import { useState } from "react";
import { api, unwrap, unwrapWithMessage } from "../../api/client";
import { choices, ROLES, type UserProfile } from "../../api/types";
import { atLeast, useSession } from "../../auth/session";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { Dialog } from "../../components/Dialog";
import { SelectField } from "../../components/Field";
import { generatePassword } from "../../lib/password";
import { queryKeys } from "../../lib/queryKeys";
import { useAction } from "../../lib/useAction";

type Role = UserProfile["role"];

/** `onGone`: the account left the active list (deactivated or deleted); its page now answers 404. */
export function UserActions({ user, onGone }: { user: UserProfile; onGone?: () => void }) {
  const { user: me } = useSession();
  const isSelf = me?.id === user.id;
  const confirm = useConfirm();
  const isAdmin = atLeast(me?.role, "admin");
  // Moderators manage plain users only; moderator and admin accounts need an admin (docs/roles.md).
  const mayManage = isAdmin || user.role === "user";
  const [shownPassword, setShownPassword] = useState<string | null>(null);
  const [roleOpen, setRoleOpen] = useState(false);
  const [role, setRole] = useState<Role>(user.role);
  const invalidate = [queryKeys.users.all];

  const status = useAction<boolean, string>({
    run: async (active) =>
      (
        await unwrapWithMessage(
          api.PUT("/users/{id}/status", { params: { path: { id: user.id } }, body: { is_active: active } }),
        )
      ).message ?? "Updated",
    success: (_message, active) => `${user.username} ${active ? "reactivated" : "deactivated"}.`,
    invalidate,
    onDone: (_message, active) => (active ? undefined : onGone?.()),
  });
  const reset = useAction<string, string>({
    run: async (password) => {
      await unwrap(
        api.POST("/users/{id}/reset-password", { params: { path: { id: user.id } }, body: { new_password: password } }),
      );
      return password;
    },
    success: "Password reset. All of the user's sessions were ended.",
    onDone: (password) => setShownPassword(password),
  });
  const changeRole = useAction<Role, UserProfile>({
    run: (next) => unwrap(api.PUT("/users/{id}/role", { params: { path: { id: user.id } }, body: { role: next } })),
    success: (updated) => `${updated.username} is now ${updated.role}.`,
    invalidate,
    onDone: () => setRoleOpen(false),
  });
  const remove = useAction<void, string>({
    run: async () =>
      (await unwrapWithMessage(api.DELETE("/users/{id}", { params: { path: { id: user.id } }, body: {} }))).message ??
      "Deleted",
    success: (message) => message,
    invalidate,
    onDone: () => onGone?.(),
  });

  const name = user.username;
  return (
    <div className="flex flex-wrap gap-2 whitespace-nowrap sm:flex-nowrap">
      {mayManage ? (
        <>
          {user.is_active && !isSelf ? (
            <Button
              variant="secondary"
              className="px-2 py-1 text-xs"
              aria-label={`Deactivate ${name}`}
              busy={status.isPending}
              onClick={() =>
                confirm.ask({
                  title: `Deactivate ${name}?`,
                  message:
                    "They are signed out everywhere and cannot sign in until an account manager reactivates them.",
                  confirmLabel: "Deactivate",
                  danger: true,
                  onConfirm: () => status.mutate(false),
                })
              }
            >
              Deactivate
            </Button>
          ) : null}
          {!user.is_active ? (
            <Button
              variant="secondary"
              className="px-2 py-1 text-xs"
              aria-label={`Reactivate ${name}`}
              busy={status.isPending}
              onClick={() => status.mutate(true)}
            >
              Reactivate
            </Button>
          ) : null}
          <Button
            variant="secondary"
            className="px-2 py-1 text-xs"
            aria-label={`Reset password of ${name}`}
            busy={reset.isPending}
            onClick={() =>
              confirm.ask({
                title: `Reset the password of ${name}?`,
                message: "A new password is generated and shown once; every session of the account ends.",
                confirmLabel: "Reset password",
                danger: true,
                onConfirm: () => reset.mutate(generatePassword()),
              })
            }
          >
            Reset password
          </Button>
        </>
      ) : null}
      {isAdmin ? (
        <>
          <Button
            variant="secondary"
            className="px-2 py-1 text-xs"
            aria-label={`Change role of ${name}`}
            onClick={() => setRoleOpen(true)}
          >
            Role
          </Button>
          {!isSelf && user.is_active ? (
            <Button
              variant="danger"
              className="px-2 py-1 text-xs"
              aria-label={`Delete ${name}`}
              busy={remove.isPending}
              onClick={() =>
                confirm.ask({
                  title: `Delete ${name}?`,
                  message: "The account is deactivated, its sessions end, and its data is kept for 30 days.",
                  confirmLabel: "Delete",
                  danger: true,
                  onConfirm: () => remove.mutate(),
                })
              }
            >
              Delete
            </Button>
          ) : null}
        </>
      ) : null}
      <Dialog
        open={shownPassword !== null}
        title={`New password for ${name}`}
        onClose={() => setShownPassword(null)}
        footer={<Button onClick={() => setShownPassword(null)}>Done</Button>}
      >
        <p className="mb-2 text-sm text-slate-600">Shown once. Give it to the user over a safe channel.</p>
        <div className="flex items-center gap-2">
          <code
            className="flex-1 break-all rounded bg-slate-100 p-2 font-mono text-sm"
            data-testid="generated-password"
          >
            {shownPassword}
          </code>
          <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(shownPassword ?? "")}>
            Copy
          </Button>
        </div>
      </Dialog>
      <Dialog
        open={roleOpen}
        title={`Change role of ${name}`}
        onClose={() => setRoleOpen(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setRoleOpen(false)}>
              Cancel
            </Button>
            <Button busy={changeRole.isPending} onClick={() => changeRole.mutate(role)}>
              Save role
            </Button>
          </>
        }
      >
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          options={choices(ROLES)}
        />
      </Dialog>
      {confirm.dialog}
    </div>
  );
}
