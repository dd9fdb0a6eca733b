// "Copy link" buttons: <button data-copy="#input-id"> copies that input's value.
// One delegated listener, so buttons htmx swaps in later work too (no inline JS: CSP).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  const status = button.closest("[data-copy-scope]")?.querySelector("[data-copy-status]");
  let copied = false;
  try {
    await navigator.clipboard.writeText(input.value);
    copied = true;
  } catch {
    // No clipboard API (plain http, or permission refused): select the text instead.
    input.focus();
    input.select();
  }
  if (status) {
    status.textContent = copied ? "Link copied." : "Press Ctrl+C (⌘C on a Mac) to copy.";
  }
});
