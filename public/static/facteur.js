// Facteur web interface: small enhancements only; every page works without this file.
// 1. copy buttons next to DNS records and new tokens;
// 2. "select all" checkboxes for bulk actions;
// 3. a progress bar while a bulk member import is posted.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  navigator.clipboard?.writeText(source.textContent.trim()).then(() => {
    button.textContent = "Copied";
  });
});
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (all) {
    for (const box of document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`)) box.checked = all.checked;
  }
});
document.addEventListener("submit", (event) => {
  const progress = event.target.querySelector("progress[hidden]");
  if (progress) progress.hidden = false;
});
