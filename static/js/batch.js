// The district's recommendation batch (第十五条): count the picks per kind and count down to the deadline. The
// confirmation counts the ticked boxes itself (data-confirm-count-of; static/js/confirm.js).
(function () {
  const form = document.getElementById("batch-form");
  if (!form) return;
  const picks = form.querySelectorAll(".batch-pick");
  function recount() {
    const counts = {};
    picks.forEach((p) => {
      if (p.checked) counts[p.dataset.kind] = (counts[p.dataset.kind] || 0) + 1;
    });
    document.querySelectorAll("[id^=count-]").forEach((el) => {
      el.textContent = counts[el.id.slice(6)] || 0;
    });
  }
  picks.forEach((p) => p.addEventListener("change", recount));
  recount();
  const countdown = document.getElementById("countdown");
  if (!countdown) return;
  const deadline = new Date(countdown.dataset.deadline);
  const labels = countdown.dataset;
  function tick() {
    let s = Math.max(0, Math.floor((deadline - new Date()) / 1000));
    const d = Math.floor(s / 86400);
    s -= d * 86400;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    countdown.textContent = d + labels.labelD + " " + h + labels.labelH + " " + Math.floor(s / 60) + labels.labelM;
  }
  tick();
  setInterval(tick, 30000);
})();
