import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorNotice, Loading } from "../../components/Layout";
import { AuthCard } from "./AuthCard";
import { tokenFromLocation } from "./ResetPasswordPage";
import { queryKeys } from "../../lib/queryKeys";

type State = { kind: "working" } | { kind: "done" } | { kind: "failed"; error: unknown };

/** Where the verification link lands: the token is sent once (it works only once). */
export function VerifyEmailPage() {
  const queryClient = useQueryClient();
  const { user } = useSession();
  const [state, setState] = useState<State>({ kind: "working" });
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    const token = tokenFromLocation();
    if (!token) {
      setState({ kind: "failed", error: new Error("This link is incomplete. Open the link from the email again.") });
      return;
    }
    unwrap(api.POST("/auth/verify-email", { body: { token } })).then(
      () => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.profile });
        setState({ kind: "done" });
      },
      (error: unknown) => setState({ kind: "failed", error }),
    );
  }, [queryClient]);

  const next = user ? (
    <Link to="/admin" className="text-sm font-medium text-brand-700 underline">
      Continue to the dashboard
    </Link>
  ) : (
    <Link to="/auth/login" className="text-sm font-medium text-brand-700 underline">
      Sign in
    </Link>
  );
  if (state.kind === "working") {
    return (
      <AuthCard title="Verifying your email address">
        <Loading label="Checking the link…" />
      </AuthCard>
    );
  }
  if (state.kind === "failed") {
    return (
      <AuthCard title="We could not verify your email address">
        <ErrorNotice error={state.error} />
        <p className="text-sm text-slate-600">
          Signed in, you can send yourself a new link from the banner at the top of every page.
        </p>
        {next}
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Your email address is verified">
      <p className="text-sm text-slate-700">Thank you. Your account is confirmed.</p>
      {next}
    </AuthCard>
  );
}
