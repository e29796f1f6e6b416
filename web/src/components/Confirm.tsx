/** The one confirmation step of the app: every destructive or session-ending action asks here. */
import { useCallback, useState, type ReactNode } from "react";
import { Button } from "./Button";
import { Dialog } from "./Dialog";

export interface ConfirmRequest {
  title: string;
  message: ReactNode;
  /** The confirming button's label: the verb itself ("Delete", "Deactivate"), never "OK". */
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
}

/** `ask(request)` opens the dialog; render `dialog` once in the component that asks. */
export function useConfirm(): { ask: (request: ConfirmRequest) => void; dialog: ReactNode } {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const close = useCallback(() => setRequest(null), []);
  const dialog = (
    <Dialog
      open={request !== null}
      title={request?.title ?? ""}
      onClose={close}
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button
            variant={request?.danger ? "danger" : "primary"}
            onClick={() => {
              request?.onConfirm();
              close();
            }}
          >
            {request?.confirmLabel ?? "Confirm"}
          </Button>
        </>
      }
    >
      <div className="text-sm text-slate-700">{request?.message}</div>
    </Dialog>
  );
  return { ask: setRequest, dialog };
}
