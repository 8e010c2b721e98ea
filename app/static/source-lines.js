// The raw form editor, with JavaScript: a problem's line link also puts the cursor on
// that line of the text area and scrolls it there. Without this script the link still
// leads to the line in the numbered listing below the editor.
(function () {
  var area = document.querySelector("textarea.source[data-lines]");
  if (!area) { return; }
  function jump(line) {
    var lines = area.value.split("\n");
    if (line < 1 || line > lines.length) { return false; }
    var start = 0;
    for (var i = 0; i < line - 1; i++) { start += lines[i].length + 1; }
    area.focus();
    area.setSelectionRange(start, start + lines[line - 1].length);
    var height = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 3) * height);
    return true;
  }
  document.querySelectorAll("a[href^='#line-']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (jump(parseInt(link.getAttribute("href").slice(6), 10))) { event.preventDefault(); }
    });
  });
})();
