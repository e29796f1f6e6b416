import { useId } from "react";
import { THEME_CHOICES, useTheme, type ThemeChoice } from "../lib/theme";

const LABELS: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

/** The colour-theme switch of the app shell: system, light or dark, remembered in this browser. */
export function ThemeSelect() {
  const [choice, choose] = useTheme();
  const id = useId();
  return (
    <div className="flex items-center gap-2 text-xs">
      <label htmlFor={id} className="text-slate-600">
        Theme
      </label>
      <select
        id={id}
        value={choice}
        onChange={(event) => choose(event.target.value as ThemeChoice)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs text-slate-800"
      >
        {THEME_CHOICES.map((value) => (
          <option key={value} value={value}>
            {LABELS[value]}
          </option>
        ))}
      </select>
    </div>
  );
}
