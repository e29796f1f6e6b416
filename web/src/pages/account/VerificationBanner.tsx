import { useQuery } from "@tanstack/react-query";
import { api, unwrap, unwrapWithMessage } from "../../api/client";
import { Button } from "../../components/Button";
import { useAction } from "../../lib/useAction";
import { queryKeys } from "../../lib/queryKeys";

/** Shown on every signed-in page until the account's email address is verified. */
export function VerificationBanner() {
  const profile = useQuery({ queryKey: queryKeys.profile, queryFn: () => unwrap(api.GET("/users/me/profile")) });
  const resend = useAction({
    run: () => unwrapWithMessage(api.POST("/auth/resend-verification")),
    success: (result) => result.message ?? "Verification email sent.",
  });
  if (!profile.data || profile.data.email_verified) return null;
  return (
    <section
      aria-label="Email verification"
      className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
    >
      <p>
        Please verify your email address <strong>{profile.data.email}</strong>: open the link we sent you.
      </p>
      <Button variant="secondary" busy={resend.isPending} onClick={() => resend.mutate()}>
        Resend verification email
      </Button>
    </section>
  );
}
