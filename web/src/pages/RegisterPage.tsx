import { Link, useNavigate } from "@tanstack/react-router";
import { api, unwrap } from "../api/client";
import { Button } from "../components/Button";
import { FormError, FormTextField, showServerError, useZodForm } from "../components/Form";
import { useToast } from "../components/Toast";
import { registrationSchema } from "../lib/accountSchemas";
import { usePageTitle } from "../lib/usePageTitle";
import { PUBLIC_PATHS } from "../routeManifest";

export function RegisterPage() {
  const navigate = useNavigate();
  usePageTitle("Create an account");
  const toast = useToast();
  const form = useZodForm(registrationSchema, {
    defaultValues: { username: "", email: "", password: "", confirm: "" },
  });

  const submit = form.handleSubmit(async ({ username, email, password }) => {
    try {
      await unwrap(api.POST("/auth/register", { body: { username, email, password } }));
      toast.show("Account created. You can sign in now.", "success");
      await navigate({ to: PUBLIC_PATHS.login });
    } catch (failure) {
      showServerError(form, failure);
    }
  });

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form
        onSubmit={submit}
        noValidate
        className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        aria-labelledby="register-title"
      >
        <h1 id="register-title" className="text-xl font-semibold">
          Create an account
        </h1>
        <FormError form={form} />
        <FormTextField form={form} name="username" label="Username" autoComplete="username" required />
        <FormTextField form={form} name="email" label="Email" type="email" autoComplete="email" required />
        <FormTextField
          form={form}
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint="8–128 characters, with 3 of: upper case, lower case, digits, symbols."
        />
        <FormTextField
          form={form}
          name="confirm"
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          required
        />
        <Button type="submit" busy={form.formState.isSubmitting}>
          Create account
        </Button>
        <p className="text-sm text-slate-600">
          Already registered?{" "}
          <Link to={PUBLIC_PATHS.login} className="font-medium text-brand-700 underline">
            Sign in
          </Link>
        </p>
      </form>
    </main>
  );
}
