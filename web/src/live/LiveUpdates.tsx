/**
 * Live updates from GET /api/v1/stream (Server-Sent Events, authenticated by the session
 * cookie). Task status changes patch the cached task and refresh task lists; incidents,
 * alerts and events refresh their lists. When the stream is unavailable, pages fall back
 * to polling through `useFallbackInterval`, and while it is live they still re-read slowly.
 */
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { API_BASE } from "../api/client";
import type { Task } from "../api/types";
import { queryKeys } from "../lib/queryKeys";

export type LiveState = "connecting" | "live" | "offline";
export const STREAM_EVENTS = ["task", "incident", "alert", "event"] as const;
export type StreamEvent = (typeof STREAM_EVENTS)[number];

const LiveContext = createContext<LiveState>("offline");
const RECONNECT_MS = 15_000;

/** Apply one stream message to the query cache. */
export function applyStreamMessage(queryClient: QueryClient, kind: StreamEvent, data: Record<string, unknown>): void {
  if (kind === "task") {
    const id = typeof data.id === "string" ? data.id : undefined;
    const status = typeof data.status === "string" ? data.status : undefined;
    if (id && status) {
      const patch = (task: Task): Task => (task.id === id ? { ...task, status: status as Task["status"] } : task);
      queryClient.setQueryData<Task>(queryKeys.tasks.detail(id), (task) => (task ? patch(task) : task));
      queryClient.setQueriesData<Task[]>({ queryKey: queryKeys.tasks.lists() }, (tasks) => tasks?.map(patch));
    }
    void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all });
    return;
  }
  if (kind === "incident") {
    void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.incidents.all });
    if (typeof data.id === "string")
      void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.incident.detail(data.id) });
  } else if (kind === "alert") {
    void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.alerts() });
  } else {
    void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.events.all });
  }
  void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.stats() });
}

export function LiveUpdatesProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>(typeof EventSource === "undefined" ? "offline" : "connecting");

  useEffect(() => {
    if (typeof EventSource === "undefined") return undefined;
    let source: EventSource | null = null;
    let retry: number | undefined;
    let stopped = false;

    const connect = () => {
      setState("connecting");
      source = new EventSource(`${API_BASE}/stream`);
      source.onopen = () => setState("live");
      source.onerror = () => {
        // The browser retries by itself while CONNECTING; a CLOSED stream (401, 503) is ours to retry.
        if (source?.readyState === EventSource.CLOSED) {
          setState("offline");
          source.close();
          if (!stopped) retry = window.setTimeout(connect, RECONNECT_MS);
        } else {
          setState("connecting");
        }
      };
      // The server could not replay what this page missed while disconnected: refetch everything.
      source.addEventListener("resync", () => void queryClient.invalidateQueries());
      for (const kind of STREAM_EVENTS) {
        source.addEventListener(kind, (message: MessageEvent<string>) => {
          try {
            applyStreamMessage(queryClient, kind, JSON.parse(message.data) as Record<string, unknown>);
          } catch {
            // A malformed message is skipped; the next one or a refetch repairs the view.
          }
        });
      }
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      source?.close();
    };
  }, [queryClient]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export function useLiveState(): LiveState {
  return useContext(LiveContext);
}

/**
 * While the stream is live, a page still re-reads its data this often: an update the stream
 * missed (one that raced the page's own fetch, or came during a reconnect) stays on screen at
 * most this long instead of until the next change.
 */
export const LIVE_RECHECK_MS = 30_000;

/** A refetch interval for data that the stream keeps fresh: `ms` without the stream, the slow
 * recheck with it. */
export function useFallbackInterval(ms = 5_000): number {
  return useLiveState() === "live" ? Math.max(ms, LIVE_RECHECK_MS) : ms;
}

export function LiveIndicator() {
  const state = useLiveState();
  const label = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Offline (polling)";
  const dot = state === "live" ? "bg-green-500" : state === "connecting" ? "bg-amber-400" : "bg-slate-400";
  return (
    <span
      role="status"
      data-testid="live-indicator"
      data-state={state}
      className="inline-flex items-center gap-1.5 text-xs text-slate-600"
      title="Live updates from the server"
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot} ${state === "live" ? "animate-pulse" : ""}`} />
      {label}
    </span>
  );
}
