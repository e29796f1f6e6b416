import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { resetCache } from "../../auth/session";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Card, ErrorNotice, Loading } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { queryKeys } from "../../lib/queryKeys";

type Session = components["schemas"]["SessionInfo"];

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, "Edge"],
  [/OPR\//, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, "Android"],
  [/iPhone|iPad/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X/, "macOS"],
  [/Linux/, "Linux"],
];

/** "Firefox on Linux" from a user agent string; the string itself when nothing matches. */
export function describeAgent(agent: string | null): string {
  if (!agent) return "Unknown device";
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? agent.slice(0, 60);
}

/** Sessions of the signed-in user (no `userId`) or, for an admin, of the user `userId`. */
export function SessionsCard({ userId }: { userId?: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const key = queryKeys.sessions(userId);
  const sessions = useQuery({
    queryKey: key,
    queryFn: () =>
      userId
        ? unwrap(api.GET("/users/{id}/sessions", { params: { path: { id: userId } } }))
        : unwrap(api.GET("/auth/sessions")),
  });

  const end = useAction({
    run: (session: Session) =>
      userId
        ? unwrap(
            api.DELETE("/users/{id}/sessions/{session_id}", {
              params: { path: { id: userId, session_id: session.id } },
            }),
          )
        : unwrap(api.DELETE("/auth/sessions/{id}", { params: { path: { id: session.id } } })),
    success: (_done, session) => `Signed out ${describeAgent(session.user_agent)}.`,
    invalidate: [key],
    onDone: (_done, session) => {
      if (!session.current) return;
      resetCache(queryClient, null);
      void navigate({ to: "/auth/login" });
    },
  });

  const title = userId ? "Active sessions" : "Where you're signed in";
  if (sessions.isPending)
    return (
      <Card title={title}>
        <Loading />
      </Card>
    );
  if (sessions.error)
    return (
      <Card title={title}>
        <ErrorNotice error={sessions.error} />
      </Card>
    );
  return (
    <Card title={title}>
      {sessions.data.length === 0 ? <p className="text-sm text-slate-500">No active sessions.</p> : null}
      <ul className="divide-y divide-slate-200">
        {sessions.data.map((session) => (
          <li key={session.id} data-testid="session" className="flex flex-wrap items-center justify-between gap-3 py-3">
            <div className="min-w-0">
              <p className="text-sm font-medium" title={session.user_agent ?? undefined}>
                {describeAgent(session.user_agent)} {session.current ? <Badge tone="green">This device</Badge> : null}
              </p>
              <p className="text-xs text-slate-500">
                {session.ip_address ?? "unknown address"} · signed in {formatDateTime(session.created_at)} · last active{" "}
                {formatDateTime(session.last_activity_at)}
              </p>
            </div>
            <Button
              variant="secondary"
              onClick={() => end.mutate(session)}
              aria-label={`Sign out ${describeAgent(session.user_agent)}${session.current ? " (this device)" : ""}`}
            >
              Sign out
            </Button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
