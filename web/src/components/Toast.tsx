/**
 * Notifications on Radix Toast: `useToast().show(text, kind)`. They stack bottom-right, pause while
 * hovered or focused, close on swipe or their ✕, and F8 moves focus to them. Errors are announced
 * assertively, the rest politely.
 */
import { Toast } from "radix-ui";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

type ToastKind = "success" | "error" | "info";
interface ToastItem {
  id: number;
  kind: ToastKind;
  text: string;
}

interface ToastApi {
  show: (text: string, kind?: ToastKind) => void;
}

const ToastContext = createContext<ToastApi>({ show: () => undefined });

const KIND_STYLES: Record<ToastKind, string> = {
  success: "border-green-300 bg-green-50 text-green-900",
  error: "border-red-300 bg-red-50 text-red-900",
  info: "border-slate-300 bg-white text-slate-900",
};

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const dismiss = useCallback((id: number) => setItems((all) => all.filter((item) => item.id !== id)), []);
  const show = useCallback((text: string, kind: ToastKind = "info") => {
    const id = nextId++;
    setItems((all) => [...all.slice(-3), { id, kind, text }]);
  }, []);
  const api = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={api}>
      <Toast.Provider swipeDirection="right">
        {children}
        {items.map((item) => (
          <Toast.Root
            key={item.id}
            type={item.kind === "error" ? "foreground" : "background"}
            duration={item.kind === "error" ? 8000 : 4000}
            onOpenChange={(open) => (open ? undefined : dismiss(item.id))}
            className={`flex items-start justify-between gap-2 rounded-md border p-3 text-sm shadow ${KIND_STYLES[item.kind]}`}
          >
            <Toast.Description>{item.text}</Toast.Description>
            <Toast.Close aria-label="Dismiss notification" className="text-xs opacity-70 hover:opacity-100">
              ✕
            </Toast.Close>
          </Toast.Root>
        ))}
        <Toast.Viewport className="fixed bottom-4 right-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2 outline-none" />
      </Toast.Provider>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(ToastContext);
}
