/**
 * The colour theme: "system" follows prefers-color-scheme, "light" and "dark" are fixed. The
 * choice is kept in localStorage; index.html's inline script applies it before the first paint
 * (it repeats THEME_KEY and the rule of `isDark`, which a unit test checks).
 */
import { useCallback, useState } from "react";

export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export const THEME_KEY = "starter.theme";

const QUERY = "(prefers-color-scheme: dark)";

export function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export function isDark(choice: ThemeChoice, systemDark: boolean): boolean {
  return choice === "dark" || (choice === "system" && systemDark);
}

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(QUERY).matches;
}

export function applyTheme(choice: ThemeChoice): void {
  document.documentElement.classList.toggle("dark", isDark(choice, systemPrefersDark()));
}

/** Re-apply the stored choice whenever the system's scheme changes (matters on "system"). */
export function followSystemTheme(): void {
  if (typeof window.matchMedia !== "function") return;
  window.matchMedia(QUERY).addEventListener("change", () => applyTheme(storedTheme()));
}

/** The current choice and its setter, which stores and applies it. */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  const choose = useCallback((next: ThemeChoice) => {
    try {
      if (next === "system") localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, next);
    } catch {
      // Storage can be off (private mode); the choice then lasts for this page only.
    }
    applyTheme(next);
    setChoice(next);
  }, []);
  return [choice, choose];
}
