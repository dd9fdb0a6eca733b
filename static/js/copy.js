// Copy buttons: <button data-copy="#id"> copies that input's value, or that element's
// text (a <pre> with a command). The scope's [data-copy-status] says so: the button's
// data-copied text, else "Link copied.".
// One delegated listener, so buttons htmx swaps in later work too (no inline JS: CSP).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const isInput = "value" in source && source.tagName !== "BUTTON";
  const text = isInput ? source.value : source.textContent;
  const status = button.closest("[data-copy-scope]")?.querySelector("[data-copy-status]");
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    // No clipboard API (plain http, or permission refused): select the text instead.
    if (isInput) {
      source.focus();
      source.select();
    } else {
      window.getSelection().selectAllChildren(source);
    }
  }
  if (status) {
    status.textContent = copied
      ? button.dataset.copied || "Link copied."
      : "Press Ctrl+C (⌘C on a Mac) to copy.";
  }
});
