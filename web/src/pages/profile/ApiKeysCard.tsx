import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { z } from "zod";
import { api, unwrap } from "../../api/client";
import type { ApiKey, ApiKeyCreated } from "../../api/types";
import { StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { Dialog } from "../../components/Dialog";
import { FormError, FormTextField, showServerError, useZodForm } from "../../components/Form";
import { Card, ErrorNotice } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { formatDateTime, relativeTime } from "../../lib/format";
import { queryKeys } from "../../lib/queryKeys";
import { useAction } from "../../lib/useAction";
import { requiredText } from "../../api/validation";

const KEYS = queryKeys.apiKeys;
const createSchema = z.object({ name: requiredText("Key name", 100) });

export function ApiKeysCard() {
  const keys = useQuery({ queryKey: KEYS, queryFn: () => unwrap(api.GET("/api-keys")) });
  const form = useZodForm(createSchema, { defaultValues: { name: "" } });
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const confirm = useConfirm();
  const create = useAction<string, ApiKeyCreated>({
    run: (keyName) => unwrap(api.POST("/api-keys", { body: { name: keyName } })),
    invalidate: [KEYS],
    onDone: (key) => {
      setCreated(key);
      setCopied(false);
      form.reset();
    },
    onError: (error) => showServerError(form, error),
    toastErrors: false,
  });
  const revoke = useAction<string, unknown>({
    run: (id) => unwrap(api.DELETE("/api-keys/{id}", { params: { path: { id } } })),
    success: "API key revoked.",
    invalidate: [KEYS],
  });

  const submit = form.handleSubmit(({ name }) => create.mutate(name));

  const columns: Column<ApiKey>[] = [
    { key: "name", header: "Name", render: (key) => key.name },
    { key: "prefix", header: "Prefix", render: (key) => <code className="font-mono text-xs">{key.key_prefix}…</code> },
    { key: "scopes", header: "Scopes", render: (key) => key.permissions.join(", ") },
    { key: "state", header: "State", render: (key) => <StatusBadge value={key.is_active ? "active" : "closed"} /> },
    { key: "used", header: "Last used", render: (key) => `${relativeTime(key.last_used_at)} (${key.usage_count}×)` },
    { key: "expires", header: "Expires", render: (key) => formatDateTime(key.expires_at) },
    {
      key: "actions",
      pinned: true,
      header: "Actions",
      render: (key) =>
        key.is_active ? (
          <Button
            variant="danger"
            className="px-2 py-1 text-xs"
            aria-label={`Revoke ${key.name}`}
            onClick={() =>
              confirm.ask({
                title: `Revoke ${key.name}?`,
                message: "Scripts using this key stop working at once.",
                confirmLabel: "Revoke",
                danger: true,
                onConfirm: () => revoke.mutate(key.id),
              })
            }
          >
            Revoke
          </Button>
        ) : null,
    },
  ];

  return (
    <Card title="API keys">
      <p className="mb-3 text-sm text-slate-600">
        For scripts and machines: send as <code>Authorization: Bearer …</code> or <code>X-API-Key</code>.
      </p>
      <form onSubmit={submit} noValidate className="mb-4 flex flex-wrap items-start gap-2" aria-label="Create API key">
        <div className="min-w-48 flex-1">
          <FormTextField form={form} name="name" label="Key name" maxLength={100} required />
        </div>
        <Button type="submit" busy={create.isPending} className="mt-6">
          Create key
        </Button>
      </form>
      <FormError form={form} />
      {keys.error ? <ErrorNotice error={keys.error} /> : null}
      <Table
        caption="API keys"
        columns={columns}
        rows={keys.data ?? []}
        rowKey={(key) => key.id}
        empty="No API keys yet."
      />
      <Dialog
        open={created !== null}
        title="Your new API key"
        onClose={() => setCreated(null)}
        footer={<Button onClick={() => setCreated(null)}>I have saved it</Button>}
      >
        <p className="mb-2 text-sm text-slate-600">This secret is shown only once. Store it somewhere safe now.</p>
        <div className="flex items-center gap-2">
          <code className="flex-1 break-all rounded bg-slate-100 p-2 font-mono text-sm" data-testid="api-key-secret">
            {created?.key}
          </code>
          <Button
            variant="secondary"
            onClick={async () => {
              await navigator.clipboard?.writeText(created?.key ?? "");
              setCopied(true);
            }}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      </Dialog>
      {confirm.dialog}
    </Card>
  );
}
