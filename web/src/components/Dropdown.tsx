/**
 * A menu on Radix DropdownMenu: arrow keys move, typing jumps, Escape closes, focus returns to the
 * trigger. `items` are actions or checkboxes (for toggles such as a table's column visibility).
 *
 *   <Dropdown label="Actions" items={[{ label: "Retry", onSelect: retry }, { label: "Delete", onSelect: remove, danger: true }]} />
 */
import { DropdownMenu } from "radix-ui";
import type { ReactNode } from "react";

export type DropdownItem =
  | { kind?: "action"; label: string; onSelect: () => void; danger?: boolean; disabled?: boolean }
  | {
      kind: "checkbox";
      label: string;
      checked: boolean;
      onCheckedChange: (checked: boolean) => void;
      disabled?: boolean;
    };

interface DropdownProps {
  /** The trigger button's text (or content; then give `ariaLabel`). */
  label: ReactNode;
  ariaLabel?: string;
  items: ReadonlyArray<DropdownItem>;
  /** A heading shown above the items. */
  heading?: string;
  align?: "start" | "end";
}

const TRIGGER =
  "inline-flex items-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100";
const ITEM =
  "flex cursor-default select-none items-center gap-2 rounded px-2 py-1.5 text-sm outline-none data-[disabled]:opacity-50 data-[highlighted]:bg-slate-100";

export function Dropdown({ label, ariaLabel, items, heading, align = "end" }: DropdownProps) {
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className={TRIGGER} aria-label={ariaLabel}>
        {label}
        <span aria-hidden="true">▾</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align={align}
          sideOffset={4}
          className="z-50 min-w-40 rounded-md border border-slate-200 bg-white p-1 text-slate-900 shadow-lg"
        >
          {heading ? (
            <DropdownMenu.Label className="px-2 py-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
              {heading}
            </DropdownMenu.Label>
          ) : null}
          {items.map((item) =>
            item.kind === "checkbox" ? (
              <DropdownMenu.CheckboxItem
                key={item.label}
                className={ITEM}
                checked={item.checked}
                disabled={item.disabled ?? false}
                onCheckedChange={(checked) => item.onCheckedChange(checked === true)}
                // Keep the menu open so several columns can be toggled in one go.
                onSelect={(event) => event.preventDefault()}
              >
                <span aria-hidden="true" className="w-4 text-center">
                  {item.checked ? "✓" : ""}
                </span>
                {item.label}
              </DropdownMenu.CheckboxItem>
            ) : (
              <DropdownMenu.Item
                key={item.label}
                className={`${ITEM} ${item.danger ? "text-red-700" : ""}`}
                disabled={item.disabled ?? false}
                onSelect={item.onSelect}
              >
                {item.label}
              </DropdownMenu.Item>
            ),
          )}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
