// The reviewers' whole-application view: an evidence number opens its file in the panel (target=
// "evidence-panel"); the panel's caption says which one.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-evidence-link]");
  if (!link) return;
  const caption = document.getElementById("evidence-caption");
  if (caption) caption.textContent = link.textContent + " · " + link.title;
});
