/**
 * Tabs on Radix Tabs: a tablist with arrow-key navigation and one panel per tab.
 *
 *   <Tabs label="Notes" value={tab} onValueChange={setTab} tabs={[{ value: "mine", label: "Mine", content: <Mine /> }, …]} />
 *
 * Without `value` the tabs keep their own state, starting at `defaultValue` (or the first tab).
 */
import { Tabs as RadixTabs } from "radix-ui";
import type { ReactNode } from "react";

export interface TabItem<V extends string> {
  value: V;
  label: ReactNode;
  content: ReactNode;
}

interface TabsProps<V extends string> {
  /** The tablist's accessible name. */
  label: string;
  tabs: ReadonlyArray<TabItem<V>>;
  value?: V;
  defaultValue?: V;
  onValueChange?: (value: V) => void;
}

export function Tabs<V extends string>({ label, tabs, value, defaultValue, onValueChange }: TabsProps<V>) {
  const control = value === undefined ? { defaultValue: defaultValue ?? tabs[0]?.value } : { value };
  return (
    <RadixTabs.Root {...control} onValueChange={(next) => onValueChange?.(next as V)} className="flex flex-col gap-4">
      <RadixTabs.List aria-label={label} className="flex gap-1 border-b border-slate-200">
        {tabs.map((tab) => (
          <RadixTabs.Trigger
            key={tab.value}
            value={tab.value}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 data-[state=active]:border-brand-600 data-[state=active]:text-brand-700"
          >
            {tab.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {tabs.map((tab) => (
        <RadixTabs.Content key={tab.value} value={tab.value} className="outline-none">
          {tab.content}
        </RadixTabs.Content>
      ))}
    </RadixTabs.Root>
  );
}
