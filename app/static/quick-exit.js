// Leave quickly, on purpose: the button, or Escape pressed twice outside a text field
// (Escape inside a text box, or once by accident, does nothing, so no typing is lost).
// The link works without JavaScript: it goes to /leave, which erases this device's
// draft and session and sends the browser to an ordinary outside page. This script
// only blanks the page at once and replaces it in the history, so Back does not return.
(function () {
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  var TEXT_TYPES = /^(text|email|tel|number|date|search|url|password)$/;
  var lastEscape = 0;
  function leave(event) {
    if (event) { event.preventDefault(); }
    try { document.title = ""; document.body.innerHTML = ""; } catch (e) {}
    window.location.replace(link.href);
  }
  function typing(target) {
    if (!target || !target.tagName) { return false; }
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
      return true;
    }
    return target.tagName === "INPUT" && TEXT_TYPES.test(target.type || "text");
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || typing(event.target)) { lastEscape = 0; return; }
    var now = Date.now();
    if (now - lastEscape < 1500) { leave(event); } else { lastEscape = now; }
  });
}());
