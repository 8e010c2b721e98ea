// Leave quickly: replace this page in the history so "back" does not return here.
// The link works without JavaScript; this only adds the history replacement and the Escape key.
(function () {
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    try { document.body.innerHTML = ""; } catch (e) {}
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { leave(event); }
  });
}());
