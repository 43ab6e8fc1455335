// The district's pool: choosing a registered unit found by the search fills the credit code and name fields
// (the results arrive by htmx, so the click is caught on the document).
document.addEventListener("click", (event) => {
  const found = event.target.closest("[data-fill-credit-code]");
  if (!found) return;
  document.getElementById("id_add-credit_code").value = found.dataset.fillCreditCode;
  document.getElementById("id_add-name").value = found.dataset.fillName;
});
