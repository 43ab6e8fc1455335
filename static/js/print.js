// Buttons marked data-action="print" print the page (no inline handlers: the CSP forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-action=print]")) {
    window.print();
  }
});
