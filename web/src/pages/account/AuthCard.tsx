import type { ReactNode } from "react";

import { usePageTitle } from "../../lib/usePageTitle";

/** The centred card of the signed-out pages (sign in, recovery, verification). */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <section
        className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        aria-labelledby="auth-card-title"
      >
        <h1 id="auth-card-title" className="text-xl font-semibold">
          {title}
        </h1>
        {children}
      </section>
    </main>
  );
}
