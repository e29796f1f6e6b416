import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useSession } from "../auth/session";
import { Button } from "../components/Button";
import { FormError, FormTextField, showServerError, useZodForm } from "../components/Form";
import { loginSchema } from "../lib/accountSchemas";
import { usePageTitle } from "../lib/usePageTitle";
import { ADMIN_ROOT, PUBLIC_PATHS } from "../routeManifest";

/** Only same-site paths are followed after login (no open redirects). */
export function safeRedirect(target: string | undefined): string {
  if (!target?.startsWith("/") || target.startsWith("//") || target.startsWith("/auth/")) return ADMIN_ROOT;
  return target;
}

export function LoginPage() {
  const { login } = useSession();
  usePageTitle("Sign in");
  const navigate = useNavigate();
  const search = useSearch({ from: PUBLIC_PATHS.login });
  const form = useZodForm(loginSchema, { defaultValues: { identifier: "", password: "" } });

  const submit = form.handleSubmit(async ({ identifier, password }) => {
    try {
      await login(identifier, password);
      await navigate({ to: safeRedirect(search.redirect) });
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
        aria-labelledby="login-title"
      >
        <h1 id="login-title" className="text-xl font-semibold">
          Sign in
        </h1>
        <FormError form={form} />
        <FormTextField form={form} name="identifier" label="Username or email" autoComplete="username" required />
        <FormTextField
          form={form}
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
        />
        <Link to={PUBLIC_PATHS.forgotPassword} className="-mt-2 self-end text-sm font-medium text-brand-700 underline">
          Forgot password?
        </Link>
        <Button type="submit" busy={form.formState.isSubmitting}>
          Sign in
        </Button>
        <p className="text-sm text-slate-600">
          No account?{" "}
          <Link to={PUBLIC_PATHS.register} className="font-medium text-brand-700 underline">
            Create one
          </Link>
        </p>
      </form>
    </main>
  );
}
