// The receipt's copy and print buttons. Without JavaScript they stay hidden and the
// page says how to print or write the code down; saving it as an image needs no script.
(function () {
  var copy = document.getElementById("copy-receipt");
  var print = document.getElementById("print-receipt");
  var status = document.getElementById("copy-status");
  function say(text) { if (status) { status.textContent = text; } }
  function copyByHand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  }
  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = copy.getAttribute("data-copy");
      var copied = copy.getAttribute("data-copied");
      var failed = copy.getAttribute("data-not-copied");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say(copied); }, function () {
          say(copyByHand(text) ? copied : failed);
        });
      } else {
        say(copyByHand(text) ? copied : failed);
      }
    });
  }
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
}());
