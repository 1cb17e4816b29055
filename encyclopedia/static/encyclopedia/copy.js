// "Copy" buttons for the citations of a page. Without JavaScript the buttons stay hidden and
// each citation is plain text that one click selects (CSS user-select: all).
document.querySelectorAll("button.copy-citation").forEach(function (button) {
  var target = document.getElementById(button.dataset.target);
  if (!target || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
  });
});
