import { api, unwrap } from "../../api/client";
import type { Incident, UpdateIncidentBody } from "../../api/types";
import { useAction } from "../../lib/useAction";

export function useIncidentUpdate(onDone?: (incident: Incident) => void) {
  return useAction<{ id: string; body: UpdateIncidentBody }, Incident>({
    run: ({ id, body }) => unwrap(api.PUT("/monitoring/incidents/{id}", { params: { path: { id } }, body })),
    success: (incident) => `Incident "${incident.title}" is ${incident.status}.`,
    invalidate: [
      ["monitoring", "incidents"],
      ["monitoring", "incident"],
      ["monitoring", "stats"],
    ],
    onDone,
  });
}
