import { describe, expect, it } from "vitest";
import { visibleSections } from "./AppShell";

function labels(role: Parameters<typeof visibleSections>[0]): string[] {
  return visibleSections(role).flatMap((section) => section.items.map((item) => item.label));
}

describe("visibleSections", () => {
  it("hides moderator and admin pages from users", () => {
    const shown = labels("user");
    expect(shown).toContain("Dashboard");
    expect(shown).toContain("Incidents");
    for (const hidden of ["Dead letter", "Users", "Create user", "User analytics", "Alerts", "System stats"])
      expect(shown).not.toContain(hidden);
    expect(visibleSections("user").map((section) => section.title)).not.toContain("Users");
  });

  it("shows moderators the moderation pages but not the admin ones", () => {
    const shown = labels("moderator");
    for (const visible of ["Dead letter", "Users", "Alerts", "System stats"]) expect(shown).toContain(visible);
    expect(shown).not.toContain("Create user");
    expect(shown).not.toContain("User analytics");
  });

  it("shows admins everything", () => {
    expect(labels("admin")).toEqual(expect.arrayContaining(["Create user", "User analytics", "Dead letter", "Alerts"]));
  });

  it("shows only public pages without a session", () => {
    expect(labels(undefined)).not.toContain("Users");
  });
});
