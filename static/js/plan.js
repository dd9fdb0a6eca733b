// The planner's pickers (templates/calculator/plan.html): "All priced" ticks every
// priced choice of its fieldset, "None" clears them; then the form plans again, as a
// tick does (htmx listens for "input" on the form). Delegated: no inline JS (CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tick]");
  if (!button) return;
  const picker = button.closest("[data-picker]");
  for (const box of picker.querySelectorAll("input[type=checkbox]")) {
    box.checked = button.dataset.tick === "priced" && box.hasAttribute("data-priced");
  }
  picker.dispatchEvent(new Event("input", { bubbles: true }));
});
