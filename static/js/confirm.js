// Confirmation before an irreversible action, without inline handlers (the Content-Security-Policy forbids
// them): a submit button, a form or a link marked data-confirm="…" asks first, in an accessible modal
// <dialog> (role alertdialog, labelled by its title, described by the message; focus moves into it, Esc or
// Cancel closes it without acting, focus returns to what had it). The form's submit event is hooked, so Enter
// in a field (which submits through the default button) asks too.
//
// Batch forms: data-confirm-count-of="<selector>" counts the matching elements inside the form (e.g. the ticked
// boxes) and puts the number in place of "__N__" in the message; data-confirm-none="…" is said instead when
// none is ticked, and nothing is sent. data-confirm-accept="…" names the confirming button (default: the
// button's own label).
(() => {
  const ENGLISH = { title: "Please confirm", accept: "Confirm", cancel: "Cancel", close: "Close" };
  const CHINESE = { title: "请确认", accept: "确定", cancel: "取消", close: "关闭" };
  const words = () => ((document.documentElement.lang || "").toLowerCase().startsWith("zh") ? CHINESE : ENGLISH);
  const approved = new WeakSet();
  let dialog = null;
  let pending = null; // the question waiting for its answer: { possible, proceed, returnTo }

  function build() {
    const t = words();
    const d = document.createElement("dialog");
    d.className = "confirm-dialog border-0 rounded-3 shadow p-4";
    d.setAttribute("role", "alertdialog");
    d.setAttribute("aria-modal", "true");
    d.setAttribute("aria-labelledby", "confirm-dialog-title");
    d.setAttribute("aria-describedby", "confirm-dialog-message");
    d.dataset.testid = "confirm-dialog";
    d.style.maxWidth = "min(32rem, calc(100vw - 2rem))"; // CSSOM, not a style attribute: allowed by the CSP
    const title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    title.className = "h5 mb-3";
    title.textContent = t.title;
    const message = document.createElement("p");
    message.id = "confirm-dialog-message";
    message.className = "mb-4";
    message.dataset.testid = "confirm-message";
    const buttons = document.createElement("div");
    buttons.className = "d-flex flex-wrap justify-content-end gap-2";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-outline-secondary";
    cancel.dataset.testid = "confirm-cancel";
    cancel.addEventListener("click", () => d.close("cancel"));
    const accept = document.createElement("button");
    accept.type = "button";
    accept.dataset.testid = "confirm-accept";
    accept.addEventListener("click", () => d.close("accept"));
    buttons.append(cancel, accept);
    d.append(title, message, buttons);
    // A click on the backdrop (outside the box) cancels, like Esc.
    d.addEventListener("click", (event) => {
      if (event.target === d) {
        const box = d.getBoundingClientRect();
        const inside =
          event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) d.close("cancel");
      }
    });
    // One listener for every question. "close" is delivered as a task after close(): when a dialog is answered
    // and a new question is asked at once, the first answer's event arrives while the second is open, and must
    // neither answer the second nor use it up (it did, once in two keyboard runs).
    d.addEventListener("close", () => {
      if (d.open || !pending) return;
      const answered = pending;
      pending = null;
      if (d.returnValue === "accept" && answered.possible) {
        answered.proceed();
      } else if (answered.returnTo && answered.returnTo.isConnected) {
        answered.returnTo.focus();
      }
    });
    document.body.append(d);
    return d;
  }

  function label(element) {
    const text = element && element.tagName !== "FORM" ? (element.textContent || "").replace(/\s+/g, " ").trim() : "";
    return text.length > 0 && text.length <= 24 ? text : "";
  }

  // Opens the dialog for `source` (the element carrying data-confirm); `proceed` runs when confirmed.
  function ask(source, form, proceed) {
    dialog = dialog || build();
    const t = words();
    let text = source.dataset.confirm || "";
    let possible = true;
    const countOf = source.dataset.confirmCountOf;
    if (countOf) {
      const n = (form || document).querySelectorAll(countOf).length;
      if (n === 0 && source.dataset.confirmNone) {
        text = source.dataset.confirmNone;
        possible = false;
      }
      text = text.split("__N__").join(String(n));
      dialog.dataset.count = String(n);
    } else {
      delete dialog.dataset.count;
    }
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : source;
    const cancel = dialog.querySelector("[data-testid=confirm-cancel]");
    const accept = dialog.querySelector("[data-testid=confirm-accept]");
    dialog.querySelector("#confirm-dialog-message").textContent = text;
    dialog.querySelector("#confirm-dialog-title").textContent = t.title;
    cancel.textContent = possible ? t.cancel : t.close;
    accept.hidden = !possible;
    accept.textContent = source.dataset.confirmAccept || label(source) || t.accept;
    const danger = /\bbtn-(outline-)?danger\b/.test(source.className || "");
    accept.className = `btn ${danger ? "btn-danger" : "btn-primary"}`;
    dialog.returnValue = "";
    pending = { possible, proceed, returnTo };
    dialog.showModal();
    (possible ? accept : cancel).focus();
  }

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (approved.has(form)) return;
      const submitter = event.submitter;
      const source = submitter && submitter.dataset.confirm !== undefined ? submitter : form;
      if (!source.dataset || source.dataset.confirm === undefined) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(source, form, () => {
        // requestSubmit keeps the button's name/value and formaction, and runs the form's own checks again; its
        // submit event is dispatched synchronously, so the approval never outlives this one submission.
        approved.add(form);
        try {
          if (submitter && submitter.form === form) form.requestSubmit(submitter);
          else form.requestSubmit();
        } finally {
          approved.delete(form);
        }
      });
    },
    true,
  );

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest("a[data-confirm]");
      if (!link) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(link, link.closest("form"), () => window.location.assign(link.href));
    },
    true,
  );
})();
