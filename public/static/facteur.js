// Facteur web interface: small enhancements only; every page works without this file.
// 1. copy buttons next to DNS records and new tokens;
// 2. "select all" checkboxes for bulk actions;
// 3. CSV file chosen for a bulk member import is read into the textarea, and a progress bar is
//    shown while the import is posted.
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
  const file = event.target.closest("input[type=file][data-into]");
  if (file?.files?.[0]) {
    file.files[0].text().then((text) => {
      const target = document.getElementById(file.dataset.into);
      if (target) target.value = text;
    });
  }
});
document.addEventListener("submit", (event) => {
  const progress = event.target.querySelector("progress[hidden]");
  if (progress) progress.hidden = false;
});
