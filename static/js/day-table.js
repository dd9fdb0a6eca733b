// The planner's hours as a table (templates/calculator/plan.html#hourly-table): 24 cells
// kept in step with the hourly_rates field, which alone is sent. A preset button fills the
// cells from the estimator's shape (data-rates: each hour at a peak of 1 request/s, from
// answers/capacity.py) times the peak rate typed, clears the fields a profile replaces,
// and the form plans again (htmx listens for "input" on the form). Without JavaScript
// the table stays hidden and the field works alone.
(() => {
  const table = document.querySelector("[data-hourly-table]");
  if (!table) return;
  const form = table.closest("form");
  const field = form.elements[table.dataset.field];
  const cells = [...table.querySelectorAll("[data-hour]")];
  const status = table.querySelector("[data-table-status]");

  const fromField = () => {
    const parts = field.value.split(/[\s,]+/).filter(Boolean);
    cells.forEach((cell, hour) => { cell.value = parts[hour] ?? ""; });
  };
  const toField = () => {
    const values = cells.map((cell) => cell.value.trim());
    field.value = values.every((v) => v === "") ? "" : values.join(",");
  };
  const peak = () => {
    const typed = Number(form.elements[table.dataset.peak].value);
    if (typed > 0) return typed;
    const highest = Math.max(...cells.map((cell) => Number(cell.value) || 0));
    return highest > 0 ? highest : Number(table.dataset.defaultPeak);
  };

  table.hidden = false;
  fromField();
  field.addEventListener("input", fromField);
  // A cell typed in: the field first; the event then bubbles on to the form.
  table.addEventListener("input", (event) => {
    if (event.target.matches("[data-hour]")) toField();
  });
  table.addEventListener("click", (event) => {
    const button = event.target.closest("[data-rates]");
    if (!button) return;
    const top = peak();
    button.dataset.rates.split(",").forEach((share, hour) => {
      cells[hour].value = String(Number((Number(share) * top).toPrecision(4)));
    });
    toField();
    for (const name of table.dataset.replaces.split(" ")) {
      if (form.elements[name]) form.elements[name].value = "";
    }
    status.textContent = `${button.textContent} at a peak of ${top} requests/s: the table gives the rates.`;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
