import { useEffect } from "react";

export const APP_NAME = "starter";

/** The browser tab names the page: "Tasks · starter". */
export function pageTitle(title: string): string {
  return title ? `${title} · ${APP_NAME}` : APP_NAME;
}

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = pageTitle(title);
  }, [title]);
}
