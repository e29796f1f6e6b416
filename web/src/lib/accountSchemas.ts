/** The account forms' rules as zod schemas; the server's answer stays authoritative. */
import { z } from "zod";
import { emailSchema } from "../api/validation";
import { passwordRules } from "./passwordRules";

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}_-]{3,50}$/u, "3–50 letters, numbers, underscores or hyphens.");

/** A new password meets every rule of lib/passwordRules.ts; the message names the first unmet. */
export const newPasswordSchema = z.string().superRefine((value, context) => {
  const unmet = passwordRules(value).find((rule) => !rule.met);
  if (unmet) context.addIssue({ code: "custom", message: `${unmet.label}.` });
});

function matching<S extends z.ZodObject<{ confirm: z.ZodString }>>(schema: S, field: string) {
  return schema.refine((values) => (values as Record<string, unknown>)[field] === values.confirm, {
    path: ["confirm"],
    message: "Passwords do not match.",
  });
}

export const loginSchema = z.object({
  identifier: z.string().trim().min(1, "Enter your username or email."),
  password: z.string().min(1, "Enter your password."),
});

export const registrationSchema = matching(
  z.object({
    username: usernameSchema,
    email: emailSchema,
    password: z.string().min(8, "At least 8 characters."),
    confirm: z.string(),
  }),
  "password",
);

export const resetPasswordSchema = matching(
  z.object({ new_password: newPasswordSchema, confirm: z.string() }),
  "new_password",
);

export const changePasswordSchema = matching(
  z.object({
    current_password: z.string().min(1, "Enter your current password."),
    new_password: newPasswordSchema,
    confirm: z.string(),
  }),
  "new_password",
);
