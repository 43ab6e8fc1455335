// Confirmation before an irreversible action, without inline handlers (the Content-Security-Policy forbids
// them): a submit button, a form or a link marked data-confirm="…" asks first. The form's submit event is
// hooked, so Enter in a field (which submits through the default button) asks too.
document.addEventListener(
  "submit",
  (event) => {
    const source = event.submitter && event.submitter.dataset.confirm !== undefined ? event.submitter : event.target;
    const question = source.dataset ? source.dataset.confirm : undefined;
    if (question !== undefined && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
