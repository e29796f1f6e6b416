/** A mutation that reports its outcome in a toast and refreshes the given queries. */
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useToast } from "../components/Toast";

interface ActionOptions<TVars, TResult> {
  run: (vars: TVars) => Promise<TResult>;
  success?: string | ((result: TResult, vars: TVars) => string);
  invalidate?: QueryKey[];
  onDone?: (result: TResult, vars: TVars) => void;
  /** Called with the failure, e.g. to show it under a form's fields (see components/Form.tsx). */
  onError?: (error: unknown, vars: TVars) => void;
  /** Forms that show the error next to their fields turn the toast off. */
  toastErrors?: boolean;
}

export function useAction<TVars = void, TResult = unknown>({
  run,
  success,
  invalidate = [],
  onDone,
  onError,
  toastErrors = true,
}: ActionOptions<TVars, TResult>) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: run,
    onSuccess: async (result, vars) => {
      if (success) toast.show(typeof success === "function" ? success(result, vars) : success, "success");
      await Promise.all(invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      onDone?.(result, vars);
    },
    onError: (error, vars) => {
      onError?.(error, vars);
      if (toastErrors) toast.show(error instanceof Error ? error.message : "Something went wrong.", "error");
    },
  });
}
