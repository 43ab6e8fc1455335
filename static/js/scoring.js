// Live score of the self-evaluation form; mirrors applications/scoring.py (a browser test compares them).
(function () {
  "use strict";
  var data = document.getElementById("template-data");
  if (!data) return;
  var template = JSON.parse(data.textContent);
  var share = parseFloat(template.baseline_share);

  function round2(x) { return Math.round((x + Number.EPSILON) * 100) / 100; }

  function quantitative(value, item) {
    if (value === null || item.baseline === null || item.leading === null) return null;
    var points = parseFloat(item.points), baseline = parseFloat(item.baseline), leading = parseFloat(item.leading);
    if (baseline === leading) {
      var reached = item.direction === "lower" ? value <= leading : value >= leading;
      return reached ? points : 0;
    }
    var progress = (value - baseline) / (leading - baseline);
    if (progress < 0) return 0;
    if (progress >= 1) return points;
    return points * (share + (1 - share) * progress);
  }

  function answerOf(item) {
    if (item.kind === "quantitative") {
      var input = document.querySelector('[name="value_' + item.code + '"]');
      var text = input ? input.value.trim() : "";
      var value = text === "" ? null : Number(text);
      return { value: value !== null && isFinite(value) ? value : null };
    }
    var checked = document.querySelector('[name="met_' + item.code + '"]:checked');
    return { met: checked ? checked.value === "yes" : null };
  }

  function update() {
    var areas = {}, total = 0, vetoed = [], requiredUnmet = [], unanswered = 0;
    template.items.forEach(function (item) {
      var answer = answerOf(item), earned = null;
      if (item.kind === "quantitative") {
        earned = quantitative(answer.value, item);
        if (answer.value === null) unanswered += 1;
      } else if (answer.met === null) {
        unanswered += 1;
      } else if (item.kind === "veto") {
        if (!answer.met) vetoed.push(item.code);
      } else {
        earned = answer.met ? parseFloat(item.points) : 0;
        if (item.kind === "required" && !answer.met) requiredUnmet.push(item.code);
      }
      if (earned !== null) earned = round2(earned);
      areas[item.area] = round2((areas[item.area] || 0) + (earned || 0));
      total = round2(total + (earned || 0));
      var cell = document.querySelector('[data-item="' + item.code + '"] [data-earned]');
      if (cell) cell.textContent = earned === null ? "—" : earned.toFixed(2);
    });
    Object.keys(areas).forEach(function (code) {
      document.querySelectorAll('[data-area-score="' + code + '"]').forEach(function (el) {
        el.textContent = areas[code].toFixed(2);
      });
    });
    document.querySelectorAll("[data-total]").forEach(function (el) { el.textContent = total.toFixed(2); });
    var veto = document.querySelector("[data-veto]");
    if (veto) veto.textContent = vetoed.length ? veto.getAttribute("data-label") + " " + vetoed.join("、") : "";
    var required = document.querySelector("[data-required]");
    if (required) {
      required.textContent = requiredUnmet.length ? required.getAttribute("data-label") + " " + requiredUnmet.join("、") : "";
    }
    var open = document.querySelector("[data-unanswered]");
    if (open) open.textContent = unanswered ? open.getAttribute("data-unanswered-label").replace("N", unanswered) : "";
  }

  document.addEventListener("input", update);
  document.addEventListener("change", update);
  update();
})();
