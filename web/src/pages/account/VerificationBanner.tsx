import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrapWithMessage, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { useToast } from "../../components/Toast";

/** Shown on every signed-in page until the account's email address is verified. */
export function VerificationBanner() {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const profile = useQuery({ queryKey: ["profile"], queryFn: () => unwrap(api.GET("/users/me/profile")) });
  if (!profile.data || profile.data.email_verified) return null;

  async function resend() {
    setBusy(true);
    try {
      const { message } = await unwrapWithMessage(api.POST("/auth/resend-verification"));
      toast.show(message ?? "Verification email sent.", "success");
    } catch (failure) {
      toast.show(failure instanceof Error ? failure.message : "Could not send the email.", "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div role="region" aria-label="Email verification" className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
      <p>
        Please verify your email address <strong>{profile.data.email}</strong>: open the link we sent you.
      </p>
      <Button variant="secondary" busy={busy} onClick={() => void resend()}>
        Resend verification email
      </Button>
    </div>
  );
}
