import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api/errors";
import { SessionProvider } from "./auth/session";
import { ToastProvider } from "./components/Toast";
import "./index.css";
import { followSystemTheme } from "./lib/theme";
import { buildRouter } from "./router";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Never retry what the server refused on purpose.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});
const router = buildRouter(queryClient);
followSystemTheme();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
