/**
 * A non-modal panel on Radix Popover, anchored to its trigger: for filters, previews and small
 * forms. Escape and a click outside close it; focus moves into it and back.
 *
 *   <Popover label="Filters" title="Filter tasks">…fields…</Popover>
 */
import { Popover as RadixPopover } from "radix-ui";
import type { ReactNode } from "react";

interface PopoverProps {
  /** The trigger button's content. */
  label: ReactNode;
  ariaLabel?: string;
  /** The panel's accessible name (also shown as its heading). */
  title: string;
  children: ReactNode;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  align?: "start" | "center" | "end";
}

export function Popover({ label, ariaLabel, title, children, open, onOpenChange, align = "start" }: PopoverProps) {
  const control = open === undefined ? {} : { open };
  return (
    <RadixPopover.Root {...control} {...(onOpenChange ? { onOpenChange } : {})}>
      <RadixPopover.Trigger
        aria-label={ariaLabel}
        className="inline-flex items-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
      >
        {label}
      </RadixPopover.Trigger>
      <RadixPopover.Portal>
        <RadixPopover.Content
          align={align}
          sideOffset={4}
          aria-label={title}
          className="z-50 flex w-[min(22rem,calc(100vw-2rem))] flex-col gap-3 rounded-md border border-slate-200 bg-white p-4 text-slate-900 shadow-lg"
        >
          <p className="text-sm font-semibold">{title}</p>
          {children}
          <RadixPopover.Close
            aria-label="Close"
            className="absolute right-2 top-2 rounded px-1 text-slate-500 hover:text-slate-800"
          >
            ✕
          </RadixPopover.Close>
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}
