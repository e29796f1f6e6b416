/** Moderator and admin actions on one account, shared by the list and the detail page. */
import { useState } from "react";
import { api, unwrap, unwrapWithMessage } from "../../api/client";
import { choices, ROLES, type UserProfile } from "../../api/types";
import { atLeast, useSession } from "../../auth/session";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { SelectField } from "../../components/Field";
import { generatePassword } from "../../lib/password";
import { useAction } from "../../lib/useAction";

type Role = UserProfile["role"];

export function UserActions({ user, onDeleted }: { user: UserProfile; onDeleted?: () => void }) {
  const { user: me } = useSession();
  const isAdmin = atLeast(me?.role, "admin");
  // Moderators manage plain users only; moderator and admin accounts need an admin (docs/roles.md).
  const mayManage = isAdmin || user.role === "user";
  const [shownPassword, setShownPassword] = useState<string | null>(null);
  const [roleOpen, setRoleOpen] = useState(false);
  const [role, setRole] = useState<Role>(user.role);
  const invalidate = [["users"]];

  const status = useAction<boolean, string>({
    run: async (active) => (await unwrapWithMessage(api.PUT("/users/{id}/status", { params: { path: { id: user.id } }, body: { is_active: active } }))).message ?? "Updated",
    success: (message) => message,
    invalidate,
  });
  const reset = useAction<string, string>({
    run: async (password) => {
      await unwrap(api.POST("/users/{id}/reset-password", { params: { path: { id: user.id } }, body: { new_password: password } }));
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
    run: async () => (await unwrapWithMessage(api.DELETE("/users/{id}", { params: { path: { id: user.id } }, body: {} }))).message ?? "Deleted",
    success: (message) => message,
    invalidate,
    onDone: () => onDeleted?.(),
  });

  const name = user.username;
  return (
    <div className="flex flex-wrap gap-2">
      {mayManage ? (
        <>
          <Button variant="secondary" className="px-2 py-1 text-xs" aria-label={`${user.is_active ? "Deactivate" : "Activate"} ${name}`} busy={status.isPending} onClick={() => status.mutate(!user.is_active)}>
            {user.is_active ? "Deactivate" : "Activate"}
          </Button>
          <Button
            variant="secondary"
            className="px-2 py-1 text-xs"
            aria-label={`Reset password of ${name}`}
            busy={reset.isPending}
            onClick={() => {
              if (window.confirm(`Reset the password of ${name}? Their sessions will end.`)) reset.mutate(generatePassword());
            }}
          >
            Reset password
          </Button>
        </>
      ) : null}
      {isAdmin ? (
        <>
          <Button variant="secondary" className="px-2 py-1 text-xs" aria-label={`Change role of ${name}`} onClick={() => setRoleOpen(true)}>
            Role
          </Button>
          {me?.id !== user.id ? (
            <Button
              variant="danger"
              className="px-2 py-1 text-xs"
              aria-label={`Delete ${name}`}
              busy={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete ${name}? The account is deactivated and kept for 30 days.`)) remove.mutate();
              }}
            >
              Delete
            </Button>
          ) : null}
        </>
      ) : null}
      <Dialog open={shownPassword !== null} title={`New password for ${name}`} onClose={() => setShownPassword(null)} footer={<Button onClick={() => setShownPassword(null)}>Done</Button>}>
        <p className="mb-2 text-sm text-slate-600">Shown once. Give it to the user over a safe channel.</p>
        <div className="flex items-center gap-2">
          <code className="flex-1 break-all rounded bg-slate-100 p-2 font-mono text-sm" data-testid="generated-password">
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
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} options={choices(ROLES)} />
      </Dialog>
    </div>
  );
}
