// Starts the WebAssembly app. An external module rather than an inline script, so the
// Content-Security-Policy can forbid inline code. If loading fails, says so in plain words.
const showFailure = (reason) => {
  const loading = document.getElementById("boot-loading");
  const failed = document.getElementById("boot-failed");
  const detail = document.getElementById("boot-detail");
  if (loading) loading.hidden = true;
  if (detail) detail.textContent = String(reason);
  if (failed) failed.hidden = false;
  console.error("certdesk failed to start:", reason);
};

if (typeof WebAssembly !== "object") {
  showFailure("This browser does not support WebAssembly.");
} else {
  import("./certdesk-frontend.js")
    // Relative to this file, not to the page: /desk/requests/7 must load /certdesk-frontend_bg.wasm.
    .then((bindings) =>
      bindings.default({ module_or_path: new URL("./certdesk-frontend_bg.wasm", import.meta.url) }),
    )
    .catch(showFailure);
}
