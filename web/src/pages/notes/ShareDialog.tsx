import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { SelectField, TextField } from "../../components/Field";
import { ErrorNotice, Loading } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { NOTES_KEY, sharesKey, type Note, type NoteShare } from "./notesApi";

const PERMISSIONS = [
  { value: "read", label: "Can read" },
  { value: "write", label: "Can edit" },
];

interface ShareForm {
  username: string;
  permission: "read" | "write";
  expires: string;
}

function CurrentShares({ note }: { note: Note }) {
  const shares = useQuery({
    queryKey: sharesKey(note.id),
    queryFn: () => unwrap(api.GET("/notes/{id}/shares", { params: { path: { id: note.id } } })),
  });
  const revoke = useAction<NoteShare, string>({
    run: (share) =>
      unwrap(api.DELETE("/notes/{id}/share/{user_id}", { params: { path: { id: note.id, user_id: share.user_id } } })),
    success: (_r, share) => `${share.username} no longer has access.`,
    invalidate: [sharesKey(note.id), NOTES_KEY],
  });
  if (shares.isPending) return <Loading />;
  if (shares.error) return <ErrorNotice error={shares.error} />;
  if (shares.data.length === 0) return <p className="text-sm text-slate-500">Not shared with anyone.</p>;
  return (
    <ul aria-label="Current shares" className="divide-y divide-slate-100 text-sm">
      {shares.data.map((share) => (
        <li key={share.user_id} className="flex items-center justify-between gap-2 py-2">
          <span>
            <span className="font-medium">{share.username}</span> ·{" "}
            {share.permission === "write" ? "can edit" : "can read"}
            {share.expires_at ? (
              <span className="text-slate-500"> · until {formatDateTime(share.expires_at)}</span>
            ) : null}
          </span>
          <Button
            variant="ghost"
            busy={revoke.isPending && revoke.variables?.user_id === share.user_id}
            onClick={() => revoke.mutate(share)}
            aria-label={`Revoke ${share.username}`}
          >
            Revoke
          </Button>
        </li>
      ))}
    </ul>
  );
}

/** Share a note by username with a permission and an optional expiry; list and revoke shares. */
export function ShareDialog({ note, open, onClose }: { note: Note; open: boolean; onClose: () => void }) {
  const [form, setForm] = useState<ShareForm>({ username: "", permission: "read", expires: "" });
  const share = useAction<ShareForm, NoteShare>({
    run: (v) =>
      unwrap(
        api.POST("/notes/{id}/share", {
          params: { path: { id: note.id } },
          body: {
            username: v.username.trim(),
            permission: v.permission,
            expires_at: v.expires ? new Date(v.expires).toISOString() : null,
          },
        }),
      ),
    success: (s) => `Shared with ${s.username} (${s.permission === "write" ? "can edit" : "can read"}).`,
    invalidate: [sharesKey(note.id), NOTES_KEY],
    toastErrors: false,
    onDone: () => setForm((f) => ({ ...f, username: "", expires: "" })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (form.username.trim()) share.mutate(form);
  };
  return (
    <Dialog
      open={open}
      title={`Share "${note.title}"`}
      onClose={onClose}
      footer={
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
      }
    >
      <form onSubmit={submit} aria-label="Share note" className="mb-4 grid gap-3">
        {share.error ? <ErrorNotice error={share.error} /> : null}
        <TextField
          label="Username"
          name="share_username"
          required
          autoComplete="off"
          value={form.username}
          onChange={(e) => setForm((f) => ({ ...f, username: e.target.value }))}
        />
        <div className="grid gap-3 sm:grid-cols-2">
          <SelectField
            label="Permission"
            name="share_permission"
            value={form.permission}
            onChange={(e) => setForm((f) => ({ ...f, permission: e.target.value as ShareForm["permission"] }))}
            options={PERMISSIONS}
          />
          <TextField
            label="Expires (optional)"
            name="share_expires"
            type="datetime-local"
            value={form.expires}
            onChange={(e) => setForm((f) => ({ ...f, expires: e.target.value }))}
          />
        </div>
        <div>
          <Button type="submit" busy={share.isPending}>
            Share
          </Button>
        </div>
      </form>
      <h3 className="mb-1 text-sm font-semibold text-slate-700">People with access</h3>
      <CurrentShares note={note} />
    </Dialog>
  );
}
