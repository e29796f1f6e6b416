/**
 * Every TanStack Query key of the app, in one tree. A key is a prefix of its children's keys, so
 * invalidating `queryKeys.tasks.all` refreshes every task query and `queryKeys.monitoring.incidents.all`
 * only the incident lists. Parameters (filters, offsets) go last, as one object or value.
 */

const tasks = {
  all: ["tasks"] as const,
  lists: () => [...tasks.all, "list"] as const,
  list: (query: unknown) => [...tasks.lists(), query] as const,
  detail: (id: string) => [...tasks.all, "detail", id] as const,
  stats: () => [...tasks.all, "stats"] as const,
  workers: () => [...tasks.all, "workers"] as const,
  metrics: (window: string) => [...tasks.all, "metrics", window] as const,
  deadLetter: (query: unknown) => [...tasks.all, "dead-letter", query] as const,
  /** A searched list with its total ({rows, total}), not the plain arrays `lists()` holds. */
  search: (query: unknown) => [...tasks.all, "search", query] as const,
  attempts: (id: string, status: string) => [...tasks.all, "attempts", id, status] as const,
  types: () => ["task-types"] as const,
};

const users = {
  all: ["users"] as const,
  lists: () => [...users.all, "list"] as const,
  list: (query: unknown) => [...users.lists(), query] as const,
  detail: (id: string) => [...users.all, "detail", id] as const,
  stats: () => [...users.all, "stats"] as const,
};

const incidents = {
  all: ["monitoring", "incidents"] as const,
  list: (query: unknown) => [...incidents.all, query] as const,
};

const incident = {
  all: ["monitoring", "incident"] as const,
  detail: (id: string) => [...incident.all, id] as const,
  timeline: (id: string, lookback: unknown) => [...incident.detail(id), "timeline", lookback] as const,
};

const monitoring = {
  all: ["monitoring"] as const,
  stats: () => ["monitoring", "stats"] as const,
  events: {
    all: ["monitoring", "events"] as const,
    list: (query: unknown) => ["monitoring", "events", query] as const,
    detail: (id: string | null) => ["monitoring", "events", "detail", id] as const,
  },
  metrics: {
    all: ["monitoring", "metrics"] as const,
    list: (query: unknown) => ["monitoring", "metrics", "list", query] as const,
    series: (name: string) => ["monitoring", "metrics", "series", name] as const,
  },
  alerts: () => ["monitoring", "alerts"] as const,
  alertPreview: (rule: unknown) => ["monitoring", "alerts", "preview", rule] as const,
  incidents,
  incident,
};

const notes = {
  all: ["notes"] as const,
  list: (...parts: unknown[]) => [...notes.all, ...parts] as const,
  search: (query: unknown) => [...notes.all, "search", query] as const,
  note: (id: string) => [...notes.all, "note", id] as const,
  shares: (id: string) => [...notes.note(id), "shares"] as const,
  versions: (id: string) => [...notes.note(id), "versions"] as const,
};

export const queryKeys = {
  me: ["auth", "me"] as const,
  profile: ["profile"] as const,
  /** One user's sessions; `"me"` for the signed-in user's own. */
  sessions: (userId: string = "me") => ["sessions", userId] as const,
  sessionsAll: ["sessions"] as const,
  apiKeys: ["api-keys"] as const,
  health: (path: string) => ["health", path] as const,
  tasks,
  users,
  monitoring,
  notes,
};
