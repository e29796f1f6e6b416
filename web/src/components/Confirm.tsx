/** The one confirmation step of the app: every destructive or session-ending action asks here. */
import { AlertDialog } from "radix-ui";
import { useCallback, useState, type ReactNode } from "react";
import { Button } from "./Button";

export interface ConfirmRequest {
  title: string;
  message: ReactNode;
  /** The confirming button's label: the verb itself ("Delete", "Deactivate"), never "OK". */
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
}

/**
 * `ask(request)` opens the dialog; render `dialog` once in the component that asks. It is a Radix
 * alert dialog: the overlay does not dismiss it, Escape and Cancel do, and focus starts on Cancel.
 */
export function useConfirm(): { ask: (request: ConfirmRequest) => void; dialog: ReactNode } {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const close = useCallback(() => setRequest(null), []);
  const dialog = (
    <AlertDialog.Root open={request !== null} onOpenChange={(open) => (open ? undefined : close())}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 flex w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 flex-col gap-4 rounded-lg bg-white p-5 text-slate-900 shadow-xl">
          <AlertDialog.Title className="text-lg font-semibold">{request?.title ?? ""}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="text-sm text-slate-700">{request?.message}</div>
          </AlertDialog.Description>
          <div className="flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button variant="secondary">Cancel</Button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <Button variant={request?.danger ? "danger" : "primary"} onClick={() => request?.onConfirm()}>
                {request?.confirmLabel ?? "Confirm"}
              </Button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
  return { ask: setRequest, dialog };
}
