import { useNavigate } from "@tanstack/react-router";
import { z } from "zod";
import { api, unwrap } from "../../api/client";
import { choices, ROLES } from "../../api/types";
import { roleSchema } from "../../api/validation";
import { Button } from "../../components/Button";
import { FormError, FormSelectField, FormTextField, showServerError, useZodForm } from "../../components/Form";
import { Card, PageHeader } from "../../components/Layout";
import { useToast } from "../../components/Toast";
import { registrationSchema } from "../../lib/accountSchemas";
import { generatePassword } from "../../lib/password";

/** The registration rules (no confirmation: the admin sees the password) plus the role. */
const newUserSchema = z.object({
  username: registrationSchema.shape.username,
  email: registrationSchema.shape.email,
  password: registrationSchema.shape.password,
  role: roleSchema,
});

export function NewUserPage() {
  const navigate = useNavigate();
  const toast = useToast();
  const form = useZodForm(newUserSchema, { defaultValues: { username: "", email: "", password: "", role: "user" } });

  const submit = form.handleSubmit(async (values) => {
    try {
      const user = await unwrap(api.POST("/users", { body: values }));
      toast.show(`Created ${user.username} (${user.role}).`, "success");
      await navigate({ to: "/admin/users/$userId", params: { userId: user.id } });
    } catch (failure) {
      showServerError(form, failure);
    }
  });

  return (
    <>
      <PageHeader title="Create user" description="Admins can create accounts with any role." />
      <Card>
        <form onSubmit={submit} noValidate className="flex max-w-md flex-col gap-4" aria-label="Create user">
          <FormError form={form} />
          <FormTextField form={form} name="username" label="Username" required />
          <FormTextField form={form} name="email" label="Email" type="email" required />
          <div className="flex items-end gap-2">
            <div className="flex-1">
              <FormTextField form={form} name="password" label="Password" type="text" autoComplete="off" required />
            </div>
            <Button
              variant="secondary"
              onClick={() => form.setValue("password", generatePassword(), { shouldValidate: true })}
            >
              Generate
            </Button>
          </div>
          <FormSelectField form={form} name="role" label="Role" options={choices(ROLES)} />
          <Button type="submit" busy={form.formState.isSubmitting}>
            Create user
          </Button>
        </form>
      </Card>
    </>
  );
}
