// Copy buttons: each <button data-copy="ID" hidden> copies the value of the input ID to
// the clipboard. Without JavaScript (or without a clipboard) the buttons stay hidden
// and the read-only input can still be selected and copied by hand.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var input = document.getElementById(button.getAttribute("data-copy"));
  if (!input || !navigator.clipboard) {
    return;
  }
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(
      function () {
        button.textContent = "Copied";
        button.setAttribute("aria-live", "polite");
        setTimeout(function () {
          button.textContent = label;
        }, 2000);
      },
      function () {
        input.select();
      }
    );
  });
});
