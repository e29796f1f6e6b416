/**
 * The signed-in user. The session lives in an HttpOnly cookie set by the server; the SPA never
 * sees the token. We only remember when it expires, to refresh it in time.
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from "react";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import { queryKeys } from "../lib/queryKeys";

export type Role = "user" | "moderator" | "admin";
export interface SessionUser {
  id: string;
  username: string;
  email: string;
  role: Role;
}

const LEVEL: Record<Role, number> = { user: 1, moderator: 2, admin: 3 };
const EXPIRY_KEY = "starter.session_expires_at";
/** The signed-in user's query key (queryKeys.me). */
export const ME_KEY = queryKeys.me;

export function atLeast(role: Role | undefined, minimum: Role): boolean {
  return role !== undefined && LEVEL[role] >= LEVEL[minimum];
}

/** When to refresh: at 75 % of the remaining lifetime, but not sooner than a minute. */
export function refreshDelayMs(expiresAt: string, now: number = Date.now()): number {
  const remaining = new Date(expiresAt).getTime() - now;
  return Math.max(60_000, Math.floor(remaining * 0.75));
}

interface SessionApi {
  user: SessionUser | null;
  loading: boolean;
  login: (identifier: string, password: string) => Promise<SessionUser>;
  logout: () => Promise<void>;
  logoutAll: () => Promise<string | null>;
}

/** Drop every cached answer of the previous user but keep the `me` query object itself:
 * `clear()` would orphan the mounted observer of ME_KEY, which would then never see the change. */
export function resetCache(queryClient: QueryClient, user: SessionUser | null): void {
  queryClient.removeQueries({
    predicate: (query) => query.queryKey[0] !== ME_KEY[0] || query.queryKey[1] !== ME_KEY[1],
  });
  queryClient.setQueryData(ME_KEY, user);
}

const SessionContext = createContext<SessionApi | null>(null);

export async function fetchMe(): Promise<SessionUser | null> {
  try {
    return (await unwrap(api.GET("/auth/me"))) as SessionUser;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
  const user = me.data ?? null;

  const login = useCallback(
    async (identifier: string, password: string) => {
      const result = await unwrap(
        api.POST("/auth/login", {
          body: { username_or_email: identifier, password, user_agent: navigator.userAgent.slice(0, 1024) },
        }),
      );
      sessionStorage.setItem(EXPIRY_KEY, result.expires_at);
      const signedIn: SessionUser = {
        id: result.user.id,
        username: result.user.username,
        email: result.user.email,
        role: result.user.role,
      };
      resetCache(queryClient, signedIn);
      return signedIn;
    },
    [queryClient],
  );

  const forget = useCallback(() => {
    sessionStorage.removeItem(EXPIRY_KEY);
    resetCache(queryClient, null);
  }, [queryClient]);

  const logout = useCallback(async () => {
    try {
      await unwrap(api.POST("/auth/logout"));
    } finally {
      forget();
    }
  }, [forget]);

  const logoutAll = useCallback(async () => {
    const result = await api.POST("/auth/logout-all");
    forget();
    return result.data?.message ?? null;
  }, [forget]);

  // Refresh the session before it expires; a failed refresh signs the user out locally.
  useEffect(() => {
    if (!user) return undefined;
    const expiresAt = sessionStorage.getItem(EXPIRY_KEY);
    const delay = expiresAt ? refreshDelayMs(expiresAt) : 30 * 60_000;
    const timer = window.setTimeout(async () => {
      try {
        const refreshed = await unwrap(api.POST("/auth/refresh"));
        sessionStorage.setItem(EXPIRY_KEY, refreshed.expires_at);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) return;
        forget();
      }
    }, delay);
    return () => window.clearTimeout(timer);
  }, [user, forget]);

  const value = useMemo(
    () => ({ user, loading: me.isPending, login, logout, logoutAll }),
    [user, me.isPending, login, logout, logoutAll],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession must be used inside <SessionProvider>");
  return session;
}
